from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _

# Names and codes of these show on the public catalog and lookup pages.
SHOWN_ON_PUBLIC_PAGES = {"org.unit", "org.agency", "org.division"}


def _public_data_changed(sender, **kwargs) -> None:
    meta = sender._meta
    if meta.app_label == "catalog" or meta.label_lower in SHOWN_ON_PUBLIC_PAGES:
        from motcua.core import pagecache

        pagecache.clear_on_commit()


def _migrated(sender, **kwargs) -> None:
    # A database made anew (or restored) must not meet pages cached from the old one.
    from motcua.core import pagecache

    pagecache.pages().clear()


class CatalogConfig(AppConfig):
    name = "motcua.catalog"
    label = "catalog"
    verbose_name = _("Danh mục thủ tục hành chính")

    def ready(self) -> None:
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(_public_data_changed, dispatch_uid=f"pagecache-{signal}")
        post_migrate.connect(_migrated, sender=self, dispatch_uid="pagecache-migrated")
