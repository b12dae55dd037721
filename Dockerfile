# Build stage: a C compiler for the analysis hot path (mypyc, setup.py); not in the final image.
FROM python:3.11-slim AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY perfsight ./perfsight
COPY collectors ./collectors
COPY analyzers ./analyzers
COPY loadruns ./loadruns
COPY dashboard ./dashboard
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# The dashboard, the CLI and the collectors; no test tools, no compiler.
FROM python:3.11-slim
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --create-home perfsight
USER perfsight
WORKDIR /work
EXPOSE 8501
# Bound to all interfaces inside the container: put authentication in front of it (README).
CMD ["perfsight", "dashboard", "--host", "0.0.0.0", "--port", "8501"]
