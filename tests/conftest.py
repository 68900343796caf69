import pytest
from django.contrib.auth import get_user_model

from actionplans.demo import load_demo


@pytest.fixture
def demo_plans(db):
    """The three seed plans as the demo loader loads them."""
    return {plan.organisation + " / " + plan.title: plan for plan in load_demo()}


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("reader", password="pw")


@pytest.fixture
def reader_client(client, user):
    client.force_login(user)
    return client
