"""Exercise intelligence: features, recognition, rep counting, tempo and form. Pure."""
