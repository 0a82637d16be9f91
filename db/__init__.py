"""The Observatory's data layer: schema, engine, build from data/, validation and queries."""
