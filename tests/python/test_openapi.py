"""The JSON API against its own OpenAPI document, with real third-party tools:
openapi-spec-validator checks the document, schemathesis generates requests from it."""

import subprocess

import pytest
import requests
from openapi_spec_validator import validate

from conftest import sign_in

EXAMPLES_SIGNED_IN = 10

def test_the_document_is_valid_openapi_3_1(base_url):
    document = requests.get(f"{base_url}/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def schemathesis(base_url, *extra, examples=40):
    run = subprocess.run(
        [
            "st", "run", f"{base_url}/api/v1/openapi.json",
            "--url", base_url,
            "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance,unsupported_method,negative_data_rejection",
            "--max-examples", str(examples),
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


# Signed in, the API has more to get wrong: the person's own data, their department's, the
# whole platform's. Fewer examples each, so that the three runs stay within a minute or two.
@pytest.mark.parametrize(
    "email, kind",
    [
        ("chan.taiman@example.hk", "citizen"),
        ("wong.siuming@immd.gov.hk", "officer"),
        ("admin@tamar.gov.hk", "platform-admin"),
    ],
)
def test_generated_requests_signed_in(base_url, email, kind):
    cookie = sign_in(base_url, email)
    me = requests.get(f"{base_url}/api/v1/me", cookies={"tamar_session": cookie})
    assert me.status_code == 200 and me.json()["kind"] == kind, me.text
    schemathesis(base_url, "--header", f"Cookie: tamar_session={cookie}", examples=EXAMPLES_SIGNED_IN)
    # Still signed in as that person afterwards: the run was not anonymous half way.
    me = requests.get(f"{base_url}/api/v1/me", cookies={"tamar_session": cookie})
    assert me.status_code == 200 and me.json()["email"] == email, me.text
