"""The sample API's endpoints, one resource per module. Handlers are plain functions of a
``Call`` (see ``perfsight.demo.endpoint``) that return a JSON-able payload or a Response."""
