"""Rectify's engine: lifecycles, persistence, audit trail; knows nothing of the web."""
