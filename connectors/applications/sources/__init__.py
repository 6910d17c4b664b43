"""Where dossier statuses come from: the connectors' own database, or a province's upstream
one-stop-shop system. The router and the ownership check do not care which one answered."""
