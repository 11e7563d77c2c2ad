"""Personal data: deletion on request, retention, masking in logs."""
