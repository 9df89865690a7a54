"""Fee payments for dossiers (the payments issue fills this in)."""
