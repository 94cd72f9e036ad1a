"""What page routes share: the renderer and typed dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from .accounts import Person
from .security import require_person
from .templating import Pages

__all__ = ["Admin", "Caseworker", "Manager", "PAGES", "PartnerStaff"]

#: the one template renderer of the pages (stateless: languages are passed per render)
PAGES = Pages()

Caseworker = Annotated[Person, Depends(require_person("caseworker"))]
PartnerStaff = Annotated[Person, Depends(require_person("partner"))]
Manager = Annotated[Person, Depends(require_person("manager", "admin"))]
Admin = Annotated[Person, Depends(require_person("admin"))]
