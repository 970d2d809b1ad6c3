"""A room: the class votes the next token from their phones. The store (SQLite, shared by every
replica), the QR code, and the presenter's panel that Step-Through's guess mode shows."""
