from ninja import Router

router = Router(tags=["stub"])
public_router = Router(tags=["stub"])
