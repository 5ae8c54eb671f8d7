"""Whatever an officer's browser sends, no staff page answers with a server error."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers.lifecycle import TRANSITIONS, State
from motcua.org.models import Role
from tests.world import bring_to

pytestmark = pytest.mark.django_db

junk = st.one_of(st.text(max_size=300), st.integers().map(str), st.just(""), st.just("9" * 40))
FIELDS = (
    "version",
    "missing_items",
    "reasons",
    "new_appointment",
    "assignee",
    "to_agency",
    "result_summary",
    "note",
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_action_forms_never_fail(client, world, data):
    dossier = bring_to(world, State.PROCESSING)
    client.force_login(world.staff[Role.AGENCY_LEADER])
    action = data.draw(st.sampled_from([t.action for t in TRANSITIONS]))
    body = {f"{action}-{name}": data.draw(junk) for name in FIELDS}
    response = client.post(reverse("backoffice:action", args=[dossier.code, action]), body)
    assert response.status_code < 500


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    body=st.dictionaries(
        st.sampled_from(
            [
                "procedure",
                "name",
                "id_number",
                "phone",
                "email",
                "address",
                "applicant_kind",
                "channel",
                "delivery",
                "delivery_address",
                "quantity",
                "summary",
                "missing_items",
                "reasons",
                "decision",
                "agency",
            ]
        ),
        junk,
    )
)
def test_counter_never_fails(client, world, body):
    client.force_login(world.staff[Role.RECEPTION_OFFICER])
    assert client.post(reverse("backoffice:counter"), body).status_code < 500
    for name in ("counter_procedures", "counter_checklist", "counter_applicant"):
        assert (
            client.get(
                reverse(f"backoffice:{name}"),
                {
                    "q": body.get("name", ""),
                    "code": body.get("procedure", ""),
                    "so": body.get("id_number", ""),
                    "so_luong": body.get("quantity", ""),
                },
            ).status_code
            < 500
        )


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["q", "thu_tuc", "linh_vuc", "trang_thai", "han_tu", "han_den", "sap_xep", "trang"]
        ),
        junk,
    )
)
def test_queue_filters_never_fail(client, world, params):
    client.force_login(world.staff[Role.SUPERVISOR])
    assert client.get(reverse("backoffice:queue", args=["tat-ca"]), params).status_code < 500
    assert (
        client.get(reverse("backoffice:handover"), {"ngay": params.get("han_tu", "")}).status_code
        < 500
    )
