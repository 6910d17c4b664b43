"""The KPI dashboard: the figures a province reports, from the stored conversations."""
