"""The procedure catalogue in the staff console (/admin/catalogue): sqladmin views of procedures,
documents, channels (fees, times) and citizen aliases; a "try it" box for search; the national
catalogue import. Every change reaches the bot at once and is audited."""
