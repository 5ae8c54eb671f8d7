"""The probes of every route that is not an admin model's page: arguments naming another
unit's or another person's dossier, file, payment or feedback, the POST bodies that would
change them, and who rightfully reaches them."""

from collections.abc import Callable

from django.contrib import admin

from motcua.backoffice import queues
from motcua.dossiers.lifecycle import ACTIONS
from motcua.dossiers.models import Dossier

from .routes import BOTH, POST, Case, Probe, one
from .targets import APPLICANT, STAFF_SECRETS, Targets, scan


def version(d: Dossier) -> int:
    return Dossier.objects.get(pk=d.pk).version


def _keys(t: Targets) -> list[Probe]:
    """Each target dossier by its code, the draft and one received dossier by reference: a
    draft is the citizen's alone, so nobody on the staff site reaches it."""
    found = [Probe({"key": d.code}) for d in (t.processing, t.awaiting, t.ready, t.rejected)]
    found.append(Probe({"key": t.processing.reference}))
    found.append(Probe({"key": t.draft.reference}, control=False))
    return found


def _form_action(t: Targets, action: str, dossier: Dossier) -> Callable[[Targets], dict]:
    def body(t):
        values = {
            "version": version(dossier),
            "reasons": "Lý do thử",
            "missing_items": "Giấy tờ thử",
            "note": "Ghi chú thử",
            "assignee": t.world.staff["specialist"].pk,
            "to_agency": t.world.district_ubnd.pk,
            "new_appointment": "2031-01-06T08:00",
            "files": scan("ket-qua-gia.pdf"),
        }
        return {f"{action}-{k}": v for k, v in values.items()}

    return body


def _api_action(action: str, dossier: Dossier) -> Callable[[Targets], dict]:
    def body(t):
        return {
            "version": version(dossier),
            "reasons": "Lý do thử",
            "missing_items": ["Giấy tờ thử"],
            "note": "Ghi chú thử",
            "assignee": t.world.staff["specialist"].username,
            "new_appointment": "2031-01-06T08:00:00+07:00",
        }

    return body


def _actions(t: Targets, body) -> list[Probe]:
    """Every action on the processing dossier, and those that start from the other states."""
    # The rightful reception officer forwards, takes the supplement and returns the result;
    # the other actions are other roles' (refused to him, as they should be).
    found = [
        Probe(
            {"key": t.processing.code, "action": a},
            body=body(a, t.processing),
            control=a == "forward",
        )
        for a in ACTIONS
    ]
    found += [
        Probe({"key": t.draft.reference, "action": a}, body=body(a, t.draft), control=False)
        for a in ("submit", "receive", "withdraw")
    ]
    found.append(
        Probe(
            {"key": t.awaiting.code, "action": "receive_supplement"},
            body=body("receive_supplement", t.awaiting),
        )
    )
    found.append(
        Probe({"key": t.ready.code, "action": "return_result"}, body=body("return_result", t.ready))
    )
    return found


def _api(probes: list[Probe]) -> list[Probe]:
    """The same probes with the API's argument name."""
    return [
        Probe(
            {"code" if k == "key" else k: v for k, v in p.kwargs.items()},
            p.query,
            p.body,
            p.extra,
            p.echoes,
            p.control,
        )
        for p in probes
    ]


def _intake(t: Targets) -> dict:
    return {
        "procedure": t.world.procedure.national_code,
        "agency": t.world.commune_ubnd.code,
        "applicant": {"name": "Người Nộp Thử", "phone": "0911000999"},
    }


def _monitoring(t: Targets) -> list[Probe]:
    commune, agency = t.world.commune, t.world.commune_ubnd
    return [
        Probe(query="chi_so=received"),
        Probe(query=f"chi_so=received&don_vi={commune.pk}", extra=(commune.name,)),
        Probe(query=f"chi_so=received&co_quan={agency.pk}", extra=(agency.name,)),
        Probe(query=f"chi_so=received&don_vi={t.world.district.pk}", extra=(commune.name,)),
    ]


def _notifications(t: Targets) -> list[Probe]:
    """The page of messages and lookups: the whole scope, the commune, its agency (with and
    without the agencies under it)."""
    commune, agency = t.world.commune, t.world.commune_ubnd
    return [
        Probe(),
        Probe(query=f"don_vi={commune.pk}", extra=(commune.name,)),
        Probe(query=f"co_quan={agency.pk}", extra=(agency.name,)),
        Probe(query=f"co_quan={agency.pk}&rieng=1", extra=(agency.name,)),
    ]


def _messages(t: Targets) -> list[Probe]:
    """The messages behind a number: they name the targets' dossiers (and agency)."""
    district, agency = t.world.district, t.world.commune_ubnd
    return [
        Probe(),
        Probe(query=f"don_vi={district.pk}&trang_thai=pending", extra=(agency.name,)),
        Probe(query=f"co_quan={agency.pk}&rieng=1&kenh=email", extra=(agency.name,)),
        Probe(query=f"co_quan={agency.pk}&su_kien=received", extra=(agency.name,)),
    ]


def _rating(t: Targets) -> dict:
    from motcua.portal.models import RatingCriterion, RatingLevel

    level = RatingLevel.objects.order_by("order").first()
    return {f"c_{c.code}": level.code for c in RatingCriterion.objects.filter(is_active=True)}


def _hotline_searches(t: Targets) -> list[Probe]:
    """The desk's search by the applicant's code, phone and ID number (echoed in the box)."""
    asked = [t.processing.code, APPLICANT["phone"], APPLICANT["id_number"]]
    return [Probe(), *(Probe(query=f"q={q}", echoes=(q,)) for q in asked)]


def _hotline_link(t: Targets) -> dict:
    """A send of the lookup link, with a number of the sender's choosing (always ignored)."""
    from motcua.notify.models import Template

    # The migration's template, in case a test that flushed the tables took it.
    Template.objects.get_or_create(
        event="lookup_link", channel="sms", defaults={"text": "Tra cuu {ma_ho_so}: {tra_cuu}"}
    )
    return {"channel": "sms", "phone": "0911000999"}


def _pdf_numbers(key_name: str, numbers, dossier_of) -> Callable[[Targets], list[Probe]]:
    # Rendering a form takes a while: the rightful persona renders only the first.
    return lambda t: [
        Probe({key_name: dossier_of(t).code, "number": n}, control=i == 0)
        for i, n in enumerate(numbers)
    ]


FORMS = ["01", "02", "03", "04", "05", "06", "07"]

CASES: dict[str, Case] = {
    # --- the staff site
    "backoffice:home": Case(one(), rightful="reception"),
    "backoffice:counter": Case(
        lambda t: [
            Probe(),
            Probe(
                query=f"agency={t.world.commune_ubnd.code}",
                body=lambda t: {
                    "agency": t.world.commune_ubnd.code,
                    "procedure": t.world.procedure.national_code,
                    "name": "Người Nộp Thử",
                    "decision": "receive",
                },
            ),
        ],
        BOTH,
        rightful="reception",
    ),
    "backoffice:counter_procedures": Case(one(query="q=thu"), rightful="reception"),
    "backoffice:counter_checklist": Case(
        lambda t: [Probe(query=f"code={t.world.procedure.national_code}")], rightful="reception"
    ),
    "backoffice:counter_applicant": Case(
        one(query=f"so={APPLICANT['id_number']}"), rightful="reception", shows=True
    ),
    "backoffice:handover": Case(
        lambda t: [Probe(), Probe(query="hinh_thuc=post"), Probe(query="hinh_thuc=counter")],
        rightful="reception",
        shows=True,
    ),
    "backoffice:feedback_queue": Case(
        lambda t: [Probe(), Probe(query="trang_thai=new")], rightful="reception"
    ),
    "backoffice:feedback_item": Case(
        lambda t: [
            Probe({"pk": t.feedback.pk}, body=lambda t: {"answer": "Đã xem xét và trả lời."})
        ],
        BOTH,
        rightful="reception",
        changes=True,
        shows=True,
    ),
    "backoffice:queue": Case(
        lambda t: [Probe({"slug": s}) for s in queues.BY_SLUG], rightful="reception", shows=True
    ),
    "backoffice:queue_export": Case(
        lambda t: [Probe({"slug": s}) for s in queues.BY_SLUG], rightful="reception", shows=True
    ),
    "backoffice:dossier": Case(_keys, rightful="reception", shows=True),
    "backoffice:action": Case(
        lambda t: _actions(t, lambda a, d: _form_action(t, a, d)),
        POST,
        rightful="reception",
        changes=True,
    ),
    "backoffice:fee": Case(
        lambda t: [
            Probe(
                {"key": t.processing.code},
                body=lambda t: {
                    "version": version(t.processing),
                    "amount": 5000,
                    "method": "cash",
                    "receipt_number": "BL-THU-2",
                },
            )
        ],
        POST,
        rightful="reception",
        changes=True,
    ),
    "backoffice:fee_confirmation": Case(
        lambda t: [Probe({"key": t.processing.code, "payment_id": t.payment.pk})],
        rightful="reception",
        shows=True,
    ),
    # --- the result: attached by the specialist, signed by the leader
    "backoffice:result_attach": Case(
        lambda t: [
            Probe(
                {"key": t.processing.code},
                body=lambda t: {"version": version(t.processing), "files": scan("kq.pdf")},
            )
        ],
        POST,
        rightful="specialist",
        changes=True,
    ),
    # The commune's leader holds no key in the matrix: his click is answered, changes nothing.
    "backoffice:result_sign": Case(
        lambda t: [Probe({"key": t.processing.code}, body=lambda t: {"version": 1})],
        POST,
        rightful="leader",
    ),
    "backoffice:signing_queue": Case(
        lambda t: [Probe(body=lambda t: {"ho_so": [t.processing.pk]})], BOTH, rightful="leader"
    ),
    "backoffice:signing_batch": Case(
        lambda t: [Probe({"pk": t.signing_batch.pk})], rightful="leader"
    ),
    "backoffice:file": Case(
        lambda t: [
            Probe({"key": t.processing.code, "file_id": t.input_file.pk}),
            Probe({"key": t.ready.code, "file_id": t.result_file.pk}),
        ],
        rightful="reception",
        shows=True,
    ),
    "backoffice:form": Case(
        _pdf_numbers("key", [*FORMS, "giai-trinh"], lambda t: t.processing),
        rightful="reception",
        shows=True,
    ),
    "payments_staff:refund": Case(
        lambda t: [
            Probe(
                {"key": t.processing.code, "payment_id": t.payment.pk},
                body=lambda t: {
                    "version": version(t.processing),
                    "refund_receipt_number": "HT-THU-1",
                },
            )
        ],
        POST,
        rightful="reception",
    ),
    "org:verify": Case(one(body=lambda t: {"token": "123456"}), BOTH, rightful="reception"),
    "org:two_factor_setup": Case(
        one(body=lambda t: {"token": "123456"}), BOTH, rightful="reception"
    ),
    "privacy:access_log": Case(
        lambda t: [Probe(), Probe(query=f"ma={t.processing.code}", echoes=(t.processing.code,))],
        rightful="supervisor",
        shows=True,
    ),
    "privacy:subject_request": Case(
        one(
            body=lambda t: {"so_dinh_danh": APPLICANT["id_number"]},
            echoes=(APPLICANT["id_number"],),
        ),
        BOTH,
        rightful="supervisor",
        shows=True,
    ),
    # --- the hotline desk: the province's operator finds every target; one of another
    # commune, and every other role, finds nothing of them
    "hotline:desk": Case(_hotline_searches, rightful="hotline", shows=True),
    "hotline:dossier": Case(_keys, rightful="hotline", shows=True),
    "hotline:send_link": Case(
        lambda t: [Probe({"key": t.processing.code}, body=_hotline_link)],
        POST,
        rightful="hotline",
        changes=True,
    ),
    # --- monitoring
    "monitoring:dashboard": Case(one(), rightful="supervisor"),
    "monitoring:unit": Case(
        lambda t: [
            Probe({"pk": t.world.commune.pk}, extra=(t.world.commune.name,)),
            Probe({"pk": t.world.district.pk}, extra=(t.world.commune.name,)),
        ],
        rightful="supervisor",
        shows=True,
    ),
    "monitoring:agency": Case(
        lambda t: [Probe({"pk": t.world.commune_ubnd.pk}, extra=(t.world.commune_ubnd.name,))],
        rightful="supervisor",
        shows=True,
    ),
    "monitoring:field": Case(
        lambda t: [Probe({"code": t.world.procedure.field.code})], rightful="supervisor"
    ),
    "monitoring:dossiers": Case(_monitoring, rightful="supervisor", shows=True),
    "monitoring:export": Case(_monitoring, rightful="supervisor", shows=True),
    "monitoring:report": Case(
        lambda t: [
            Probe(
                {"fmt": "xlsx"}, query=f"don_vi={t.world.commune.pk}", extra=(t.world.commune.name,)
            ),
            Probe(
                {"fmt": "pdf"},
                query=f"co_quan={t.world.commune_ubnd.pk}",
                extra=(t.world.commune_ubnd.name,),
            ),
        ],
        rightful="supervisor",
        shows=True,
    ),
    "monitoring:notifications": Case(_notifications, rightful="supervisor", shows=True),
    "monitoring:messages": Case(_messages, rightful="supervisor", shows=True),
    "monitoring:messages_export": Case(_messages, rightful="supervisor", shows=True),
    "monitoring:register": Case(
        lambda t: [Probe(query=f"don_vi={t.world.commune.pk}", extra=(t.world.commune.name,))],
        rightful="supervisor",
        shows=True,
    ),
    # --- the API
    "api:dossiers": Case(
        lambda t: [Probe(), Probe(body=_intake)],
        BOTH,
        rightful="reception",
        changes=True,
        json=True,
        shows=True,
    ),
    "api:dossier": Case(lambda t: _api(_keys(t)), rightful="reception", shows=True),
    "api:events": Case(lambda t: _api(_keys(t)), rightful="reception"),
    "api:action": Case(
        lambda t: _api(_actions(t, lambda a, d: _api_action(a, d))),
        POST,
        rightful="reception",
        changes=True,
        json=True,
    ),
    "api:form": Case(
        _pdf_numbers("code", FORMS, lambda t: t.processing), rightful="reception", shows=True
    ),
    # --- the citizen's account
    "portal:profile": Case(one(body=lambda t: {}), BOTH, rightful="owner"),
    "portal:my_dossiers": Case(one(), rightful="owner", shows=True),
    "portal:my_dossier": Case(
        lambda t: [Probe({"reference": d.reference}) for d in t.dossiers],
        rightful="owner",
        shows=True,
    ),
    "portal:draft": Case(
        lambda t: [
            Probe(
                {"reference": t.draft.reference},
                body=lambda t: {
                    "applicant_name": "Kẻ Lạ Mặt",
                    "applicant_phone": "0911000999",
                    "summary": "Sửa trộm",
                    "delivery": "electronic",
                },
            )
        ],
        BOTH,
        rightful="owner",
        changes=True,
        shows=True,
    ),
    "portal:upload": Case(
        lambda t: [
            Probe(
                {"reference": t.draft.reference},
                body=lambda t: {
                    "component": t.world.procedure.components.get().pk,
                    "files": scan("them.pdf"),
                },
            )
        ],
        POST,
        rightful="owner",
        changes=True,
    ),
    "portal:my_file": Case(
        lambda t: [
            Probe({"reference": t.processing.reference, "file_id": t.input_file.pk}),
            Probe({"reference": t.ready.reference, "file_id": t.result_file.pk}),
            Probe({"reference": t.draft.reference, "file_id": t.draft_file.pk}),
        ],
        rightful="owner",
        shows=True,
    ),
    "portal:remove_file": Case(
        lambda t: [
            Probe({"reference": t.draft.reference, "file_id": t.draft_file.pk}, body=lambda t: {})
        ],
        POST,
        rightful="owner",
        changes=True,
    ),
    "portal:review": Case(
        lambda t: [
            Probe({"reference": t.draft.reference}, body=lambda t: {"version": version(t.draft)})
        ],
        BOTH,
        rightful="owner",
        changes=True,
        shows=True,
    ),
    "portal:submitted": Case(
        lambda t: [Probe({"reference": t.processing.reference})], rightful="owner", shows=True
    ),
    "portal:supplement": Case(
        lambda t: [
            Probe(
                {"reference": t.awaiting.reference},
                body=lambda t: {"files": scan("bo-sung.pdf"), "note": "Bổ sung thử"},
            )
        ],
        POST,
        rightful="owner",
        changes=True,
    ),
    "portal:withdraw": Case(
        lambda t: [
            Probe(
                {"reference": t.processing.reference},
                body=lambda t: {"reasons": "Không cần nữa", "version": version(t.processing)},
            )
        ],
        POST,
        rightful="owner",
        changes=True,
    ),
    "portal:pay": Case(
        lambda t: [Probe({"reference": t.processing.reference}, body=lambda t: {})],
        POST,
        rightful="owner",
        changes=True,
    ),
    "portal:payment_confirmation": Case(
        lambda t: [Probe({"reference": t.processing.reference, "payment_id": t.payment.pk})],
        rightful="owner",
        shows=True,
    ),
    "portal:rate": Case(
        lambda t: [
            Probe(
                {"reference": t.rejected.reference},
                body=lambda t: {**_rating(t), "comment": "Đánh giá trộm"},
            )
        ],
        BOTH,
        rightful="owner",
        changes=True,
    ),
    "portal:start": Case(
        lambda t: [Probe({"code": t.world.procedure.national_code}, body=lambda t: {})],
        BOTH,
        rightful="owner",
    ),
    "privacy:my_accesses": Case(one(), rightful="owner", shows=True),
    "privacy:my_data": Case(one(), rightful="owner", shows=True),
    # --- the admin's own pages (those of each model are generated: see admin_case)
    "admin:index": Case(one(), rightful="superuser"),
    "admin:app_list": Case(
        lambda t: [
            Probe({"app_label": label})
            for label in sorted({m._meta.app_label for m in admin.site._registry})
        ],
        rightful="superuser",
    ),
    "admin:password_change": Case(one(body=lambda t: {}), BOTH, rightful="superuser"),
    "admin:password_change_done": Case(one(), rightful="superuser"),
    "admin:autocomplete": Case(
        lambda t: [
            Probe(
                query="app_label=org&model_name=roleassignment&field_name=user&term=Nội",
                extra=(STAFF_SECRETS["full_name"],),
            ),
            Probe(
                query="app_label=portal&model_name=feedback&field_name=dossier&term=0",
                control=False,  # the feedback's admin is read-only: no autocomplete there
            ),
        ],
        rightful="superuser",
        shows=True,
    ),
    "admin:jsi18n": Case(one(), rightful="superuser"),
    # No model of motcua has get_absolute_url: the shortcut answers 404 to everyone.
    "admin:view_on_site": Case(
        lambda t: [
            Probe(
                {"content_type_id": _content_type(t.staff_member), "object_id": t.staff_member.pk}
            )
        ]
    ),
    "admin:quan-tri/(?P<url>.*)$": Case(one(kwargs={"url": "khong-co-trang/"})),
}


def _content_type(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


# --- public routes worth sweeping all the same ---------------------------------------------


def _lookups(t: Targets, code_arg: str | None, digits_arg: str) -> list[Probe]:
    """The public lookup of each target by its code and the right phone digits: progress."""
    last4 = APPLICANT["phone"][-4:]
    coded = [d for d in t.dossiers if d.code]
    if code_arg is None:
        return [Probe(query=f"ma={d.code}&{digits_arg}={last4}") for d in coded]
    return [Probe({code_arg: d.code}, query=f"{digits_arg}={last4}") for d in coded]


CASES.update(
    {
        "portal:lookup": Case(lambda t: _lookups(t, None, "dt"), public=True),
        "portal:rate_by_code": Case(lambda t: _lookups(t, None, "dt"), public=True),
        "api:lookup": Case(lambda t: _lookups(t, "code", "phone"), public=True),
        "portal:feedback_list": Case(one(), public=True),
        "portal:feedback_detail": Case(
            lambda t: [Probe({"reference": t.feedback.reference})], public=True
        ),
    }
)
