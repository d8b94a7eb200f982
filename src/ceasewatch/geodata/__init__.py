"""Shipped geographic data: Ukraine's admin-1 boundaries (geoBoundaries, CC BY; see NOTICE)."""
