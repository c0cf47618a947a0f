"""Migration 0006 goes down and up with LTI data in its tables (on the test's database)."""

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect

from coursekit import migrate
from tests.lti.flow import counts, launch
from tests.lti.platform import TestPlatform

LTI_TABLES = {
    "coursekit_lti_keys",
    "coursekit_lti_platforms",
    "coursekit_lti_deployments",
    "coursekit_lti_one_time_values",
    "coursekit_lti_registration_tokens",
    "coursekit_lti_contexts",
    "coursekit_lti_resource_links",
    "coursekit_lti_user_links",
}


def test_0006_goes_down_and_up_with_launch_data(
    lti_app: Flask, lti_client: FlaskClient, platform: TestPlatform
) -> None:
    launch(lti_client, platform)
    lti_client.get("/lti/jwks")  # a tool key
    engine = lti_app.extensions["coursekit"].db.engine
    assert set(inspect(engine).get_table_names()) >= LTI_TABLES
    try:
        migrate.downgrade(engine, "0005")
        tables = set(inspect(engine).get_table_names())
        assert not LTI_TABLES & tables
        assert "coursekit_users" in tables and "coursekit_cohorts" in tables  # kept
        migrate.upgrade(engine, "0006")
        assert set(inspect(engine).get_table_names()) >= LTI_TABLES
    finally:
        migrate.upgrade(engine, "head")
    after = counts(lti_app)
    assert after["coursekit_users"] == 1 and after["coursekit_lti_contexts"] == 0
