# scaffold: the owner of this area replaces it
from ninja import Router

router = Router()
