"""The one-stop desk's pages for dossier drafts, and the citizen's secret link."""
