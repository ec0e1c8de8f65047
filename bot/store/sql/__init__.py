"""What both stores write once: the shared tables (schema.py), the queries on them (one module
per concern), and how a statement reaches either driver (compiler.py, db.py)."""
