"""Writes of the public site: citizen accounts, ratings of finished dossiers, feedback and its
answers. Each checks its input completely before it writes anything."""

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.models import Procedure
from motcua.core import pagecache
from motcua.core.calendar import default_calendar
from motcua.dossiers.errors import InvalidInput, NotAllowed
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import ApplicantKind, Dossier
from motcua.dossiers.selectors import last4, lookup_cache_keys
from motcua.org.models import Agency, User
from motcua.org.permissions import require

from .models import CitizenProfile, Feedback, Rating, RatingAnswer, RatingCriterion, RatingLevel
from .notices import tell_feedback_answer
from .permissions import ANSWER_FEEDBACK

PHONE = re.compile(r"^(?:\+?84|0)(\d{9})$")
ID_NUMBER = re.compile(r"^(\d{12}|\d{10}|\d{13}|\d{9})$")
# A rating is given once the dossier is finished with a result or a refusal of it.
RATEABLE = (State.RETURNED, State.REJECTED)


def normalize_phone(text: str) -> str | None:
    """'+84 912 345 678', '0912.345.678' → '0912345678'; None when it is not a phone number."""
    digits = re.sub(r"[\s.\-()]", "", text or "")
    match = PHONE.match(digits)
    return f"0{match.group(1)}" if match else None


def contact_username(contact: str) -> tuple[str, str, str]:
    """(username, phone, email) for what a citizen signs in with: a phone number or an e-mail."""
    contact = (contact or "").strip()
    phone = normalize_phone(contact)
    if phone:
        return phone, phone, ""
    try:
        validate_email(contact)
    except ValidationError:
        raise InvalidInput(
            {"contact": [_("Nhập số điện thoại di động (10 số) hoặc địa chỉ thư điện tử.")]}
        ) from None
    email = contact.lower()
    return email, "", email


def _clean_profile(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    full_name = " ".join(str(data.get("full_name", "")).split())
    if not full_name:
        errors["full_name"] = [_("Nhập họ và tên.")]
    id_number = str(data.get("id_number", "")).strip()
    if id_number and not ID_NUMBER.match(id_number):
        errors["id_number"] = [
            _("Số định danh cá nhân có 12 chữ số; mã số thuế có 10 hoặc 13 chữ số.")
        ]
    kind = data.get("kind") or ApplicantKind.PERSON
    try:
        kind = int(kind)
    except (TypeError, ValueError):
        kind = 0
    if kind not in ApplicantKind.values:
        errors["kind"] = [_("Chọn công dân hoặc tổ chức, doanh nghiệp.")]
    if errors:
        raise InvalidInput(errors)
    return {
        "full_name": full_name[:150],
        "id_number": id_number,
        "address": " ".join(str(data.get("address", "")).split())[:300],
        "kind": kind,
    }


def citizen_sign_up(*, full_name: str, contact: str, password: str, password2: str) -> User:
    """A local citizen account, signed in with a phone number or an e-mail and a password."""
    username, phone, email = contact_username(contact)
    errors: dict[str, list[str]] = {}
    try:
        profile = _clean_profile({"full_name": full_name})
    except InvalidInput as exc:
        errors.update(exc.fields)
        profile = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["contact"] = [_("Đã có tài khoản với số điện thoại hoặc thư điện tử này.")]
    if password != password2:
        errors["password2"] = [_("Hai mật khẩu không giống nhau.")]
    else:
        candidate = User(username=username, full_name=profile.get("full_name", ""), email=email)
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            email=email,
            phone=phone,
            full_name=profile["full_name"],
            is_staff=False,
        )
        CitizenProfile.objects.create(user=user)
    return user


def citizen_profile(user: User) -> CitizenProfile:
    profile, _created = CitizenProfile.objects.get_or_create(user=user)
    return profile


def citizen_update_profile(*, user: User, data: dict) -> CitizenProfile:
    """Change what prefills the citizen's dossiers. A name confirmed by the identity provider
    stays as the provider says."""
    cleaned = _clean_profile(data)
    phone_text = str(data.get("phone", "")).strip()
    phone = normalize_phone(phone_text) if phone_text else ""
    if phone is None:
        raise InvalidInput({"phone": [_("Số điện thoại không hợp lệ.")]})
    email = str(data.get("email", "")).strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput({"email": [_("Địa chỉ thư điện tử không hợp lệ.")]}) from None
    with transaction.atomic():
        profile = citizen_profile(user)
        if not profile.verified:
            user.full_name = cleaned["full_name"]
            profile.id_number = cleaned["id_number"]
        user.phone, user.email = phone, email
        user.save(update_fields=["full_name", "phone", "email"])
        profile.kind, profile.address = cleaned["kind"], cleaned["address"]
        profile.save()
    return profile


def applicant_from_account(user: User) -> dict:
    """The applicant block of a new online dossier, from the account."""
    profile = citizen_profile(user)
    return {
        "kind": profile.kind,
        "name": user.full_name or user.get_full_name() or user.username,
        "id_number": profile.id_number,
        "phone": user.phone,
        "email": user.email,
        "address": profile.address,
    }


# --- ratings -------------------------------------------------------------------------------


def rate_dossier(*, dossier: Dossier, answers: dict, comment: str = "", by=None, via: str):
    """Record the applicant's rating of a finished dossier: one level for every active
    criterion. A dossier is rated once."""
    if dossier.state not in RATEABLE:
        raise NotAllowed(_("Chỉ đánh giá được hồ sơ đã giải quyết xong."))
    criteria = list(RatingCriterion.objects.filter(is_active=True))
    levels = {level.code: level for level in RatingLevel.objects.all()}
    errors: dict[str, list[str]] = {}
    chosen = {}
    for criterion in criteria:
        level = levels.get(str(answers.get(criterion.code, "")))
        if level is None:
            errors[f"c_{criterion.code}"] = [_("Chọn mức đánh giá cho “%(c)s”.") % {"c": criterion}]
        chosen[criterion] = level
    comment = (comment or "").strip()
    if len(comment) > 2000:
        errors["comment"] = [_("Ý kiến dài quá 2.000 ký tự.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if Rating.objects.filter(dossier=locked).exists():
            raise NotAllowed(_("Hồ sơ này đã được đánh giá. Cảm ơn bạn."))
        rating = Rating.objects.create(
            dossier=locked,
            by=by if getattr(by, "pk", None) else None,
            via=via,
            comment=comment,
            is_negative=any(level.is_negative for level in chosen.values()),
            at=timezone.now(),
        )
        RatingAnswer.objects.bulk_create(
            RatingAnswer(rating=rating, criterion=c, level=level) for c, level in chosen.items()
        )
        # The lookup's cached answers offer the rating link: they go on commit, and the new
        # version withdraws one being rendered meanwhile (`cached_public_lookup`).
        Dossier.objects.filter(pk=locked.pk).update(version=F("version") + 1)
        if locked.code:
            pagecache.drop_on_commit(*lookup_cache_keys(locked.code))
    return rating


# --- feedback ------------------------------------------------------------------------------


FEEDBACK_ANSWER_DAYS = 15  # working days to answer (Decision 766, indicator 5.2)


def feedback_due(sent_at, agency=None):
    """When the answer to feedback sent at `sent_at` is due, on the agency's calendar."""
    return default_calendar(agency.unit_id if agency else None).add_working_days(
        sent_at, FEEDBACK_ANSWER_DAYS
    )


def feedback_send(*, data: dict, sender=None) -> Feedback:
    """Anyone's feedback about a procedure or an agency (or in general)."""
    errors: dict[str, list[str]] = {}
    title = " ".join(str(data.get("title", "")).split())
    content = str(data.get("content", "")).strip()
    name = " ".join(str(data.get("sender_name", "")).split())
    if not title:
        errors["title"] = [_("Nhập tiêu đề.")]
    elif len(title) > 200:
        errors["title"] = [_("Tiêu đề dài quá 200 ký tự.")]
    if len(content) < 10:
        errors["content"] = [_("Nêu rõ nội dung phản ánh (ít nhất 10 ký tự).")]
    elif len(content) > 5000:
        errors["content"] = [_("Nội dung dài quá 5.000 ký tự.")]
    if not name:
        errors["sender_name"] = [_("Nhập họ tên người gửi.")]
    phone_text = str(data.get("sender_phone", "")).strip()
    phone = normalize_phone(phone_text) if phone_text else ""
    if phone is None:
        errors["sender_phone"] = [_("Số điện thoại không hợp lệ.")]
    email = str(data.get("sender_email", "")).strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["sender_email"] = [_("Địa chỉ thư điện tử không hợp lệ.")]
    if not phone and not email and "sender_phone" not in errors and "sender_email" not in errors:
        errors["sender_phone"] = [_("Để lại số điện thoại hoặc thư điện tử để nhận trả lời.")]
    kind = data.get("kind") or Feedback.Kind.FEEDBACK
    if kind not in Feedback.Kind.values:
        errors["kind"] = [_("Chọn loại phản ánh.")]
    procedure = agency = None
    if data.get("procedure"):
        procedure = Procedure.objects.filter(national_code=str(data["procedure"])).first()
        if procedure is None:
            errors["procedure"] = [_("Không có thủ tục này.")]
    if data.get("agency"):
        try:
            agency = Agency.objects.filter(pk=int(data["agency"])).first()
        except (TypeError, ValueError):
            agency = None
        if agency is None:
            errors["agency"] = [_("Không có cơ quan này.")]
    if errors:
        raise InvalidInput(errors)
    if agency is None and procedure is not None and procedure.agencies.count() == 1:
        agency = procedure.agencies.get()  # the only agency that handles it answers
    return Feedback.objects.create(
        due_at=feedback_due(timezone.now(), agency),
        kind=kind,
        title=title,
        content=content,
        procedure=procedure,
        agency=agency,
        sender_name=name[:150],
        sender_phone=phone,
        sender_email=email,
        sender=sender if getattr(sender, "pk", None) else None,
        allow_publish=bool(data.get("allow_publish")),
    )


def feedback_answer(*, actor, feedback: Feedback, answer: str) -> Feedback:
    """Staff answer feedback addressed to their agency (or, when none, the province's)."""
    require(actor, ANSWER_FEEDBACK, feedback)
    answer = (answer or "").strip()
    if len(answer) < 10:
        raise InvalidInput({"answer": [_("Nhập nội dung trả lời (ít nhất 10 ký tự).")]})
    with transaction.atomic():
        locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
        if locked.state == Feedback.State.ANSWERED:
            raise NotAllowed(_("Phản ánh này đã được trả lời."))
        locked.answer = answer[:5000]
        locked.answered_by = actor
        locked.answered_at = timezone.now()
        locked.state = Feedback.State.ANSWERED
        locked.save()
        tell_feedback_answer(locked)
    return locked


def feedback_sender_proven(feedback: Feedback, *, user=None, proof: str = "") -> bool:
    """The sender: their account, or the last four digits of the phone, or the e-mail they
    gave (the page's link alone is public once the feedback is published)."""
    if feedback.sender_id is not None and getattr(user, "pk", None) == feedback.sender_id:
        return True
    proof = (proof or "").strip()
    if not proof:
        return False
    if len(proof) == 4 and proof.isdigit() and last4(feedback.sender_phone) == proof:
        return True
    return bool(feedback.sender_email) and proof.lower() == feedback.sender_email.lower()


def feedback_judge(*, feedback: Feedback, satisfied: bool, user=None, proof: str = "") -> Feedback:
    """The sender says whether the answer satisfied them (766, indicator 5.3); once."""
    with transaction.atomic():
        locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
        if locked.state != Feedback.State.ANSWERED:
            raise NotAllowed(_("Phản ánh chưa được trả lời."))
        if locked.verdict:
            raise NotAllowed(_("Bạn đã đánh giá câu trả lời này."))
        if not feedback_sender_proven(locked, user=user, proof=proof):
            raise InvalidInput(
                {
                    "proof": [
                        _(
                            "Nhập 4 số cuối điện thoại hoặc địa chỉ thư điện tử bạn đã để lại "
                            "khi gửi phản ánh."
                        )
                    ]
                }
            )
        locked.verdict = Feedback.Verdict.SATISFIED if satisfied else Feedback.Verdict.UNSATISFIED
        locked.verdict_at = timezone.now()
        locked.save(update_fields=["verdict", "verdict_at"])
    return locked
