"""The partner API (v1): JSON endpoints, their OpenAPI document and documentation page.

Kept free of imports: `webapp` imports `webapp.api.access` early, and the views load
the simulator (OpenFisca) only when the factory registers the blueprint.
"""
