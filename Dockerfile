FROM python:3.11-slim

# The dashboard, the CLI and the collectors; no test tools.
WORKDIR /app
COPY pyproject.toml README.md ./
COPY perfsight ./perfsight
COPY collectors ./collectors
COPY analyzers ./analyzers
COPY loadruns ./loadruns
COPY dashboard ./dashboard
RUN pip install --no-cache-dir . \
    && useradd --create-home perfsight
USER perfsight
WORKDIR /work
EXPOSE 8501
# Bound to all interfaces inside the container: put authentication in front of it (README).
CMD ["perfsight", "dashboard", "--host", "0.0.0.0", "--port", "8501"]
