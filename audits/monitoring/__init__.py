"""Monitoring of the AKS and of stunting prevalence: the prevalence figures (models), the
dashboard's aggregates (stats), its server-rendered SVG chart (chart) and pages (views)."""
