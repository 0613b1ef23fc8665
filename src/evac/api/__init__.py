"""The REST API (FastAPI): ``create_app(settings)``; routers per noun; errors mapped at this edge."""
