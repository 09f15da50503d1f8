"""Files attached to needs and offers: checked on upload, stored outside the web root."""
