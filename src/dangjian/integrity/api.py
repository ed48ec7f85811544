from ninja import Router

router = Router(tags=["清廉机关"])
