"""What every client of a team's OpenAI-compatible server (llama.cpp's server, vLLM, Ollama)
shares: the API's base URL and an HTTP client that sends the team's key."""

from __future__ import annotations

import httpx


def api_base(endpoint: str) -> str:
    """`http://host:8080` and `http://host:8080/v1/` alike become `http://host:8080/v1`."""
    base = endpoint.rstrip("/")
    return base if base.endswith("/v1") else f"{base}/v1"


def api_client(api_key: str | None, timeout_s: float) -> httpx.Client:
    """A client for one server; it gives up connecting after 5 s, reading after timeout_s."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return httpx.Client(headers=headers, timeout=httpx.Timeout(timeout_s, connect=5.0))
