"""The JSON API against its own OpenAPI document, with real third-party tools:
openapi-spec-validator checks the document, schemathesis generates requests from it."""

import subprocess

import requests
from openapi_spec_validator import validate

from conftest import sign_in



def test_the_document_is_valid_openapi_3_1(base_url):
    document = requests.get(f"{base_url}/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def schemathesis(base_url, *extra):
    run = subprocess.run(
        [
            "st", "run", f"{base_url}/api/v1/openapi.json",
            "--url", base_url,
            "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance,unsupported_method,negative_data_rejection",
            "--max-examples", "40",
            "--seed", "20261127",
            "--workers", "1",
            *extra,
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]


def test_generated_requests_as_anonymous(base_url):
    schemathesis(base_url)


def test_generated_requests_as_platform_admin(base_url):
    cookie = sign_in(base_url, "admin@tamar.gov.hk")
    schemathesis(base_url, "--header", f"Cookie: tamar_session={cookie}")
