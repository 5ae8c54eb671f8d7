"""Helpers for the citizen's side: an online procedure in the test world and a signed-in
citizen with a complete profile."""

from motcua.catalog.models import OnlineLevel
from motcua.org.models import User
from motcua.portal import services


def online_world(world, level=OnlineLevel.FULL):
    world.procedure.online_level = level
    world.procedure.save()
    return world.procedure


def citizen(full_name="Lê Thị Hoa", contact="0903111222", password="Mot-cua-2026!") -> User:
    user = services.citizen_sign_up(
        full_name=full_name, contact=contact, password=password, password2=password
    )
    services.citizen_update_profile(
        user=user,
        data={
            "kind": 1,
            "full_name": full_name,
            "id_number": "079200001234",
            "phone": contact if contact[0].isdigit() else "",
            "email": "" if contact[0].isdigit() else contact,
            "address": "Ấp 3, xã Thử",
        },
    )
    return user
