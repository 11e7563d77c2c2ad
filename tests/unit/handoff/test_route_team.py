"""`route_team`: the first configured rule that fits the channel and procedure decides the team."""
from __future__ import annotations

from bot.handoff.routing import route_team
from bot.settings import HandoffRoute

RULES = [HandoffRoute(team="dia-chinh", procedures=["dat-dai.*", "xay-dung.giay-phep-nha-o"]),
         HandoffRoute(team="zalo-xa-a", channels=["zalo_oa"]),
         HandoffRoute(team="ho-tich-tg", channels=["telegram"], procedures=["ho-tich.*"])]


def test_procedure_patterns_channel_lists_and_first_match() -> None:
    assert route_team(RULES, "web", "dat-dai.bien-dong") == "dia-chinh"
    assert route_team(RULES, "zalo_oa", "dat-dai.bien-dong") == "dia-chinh"   # the earlier rule wins
    assert route_team(RULES, "web", "xay-dung.giay-phep-nha-o") == "dia-chinh"
    assert route_team(RULES, "zalo_oa", "ho-tich.khai-sinh") == "zalo-xa-a"
    assert route_team(RULES, "telegram", "ho-tich.khai-sinh") == "ho-tich-tg"
    assert route_team(RULES, "telegram", None) is None          # a procedure rule needs a procedure
    assert route_team(RULES, "web", "ho-tich.khai-sinh") is None
    assert route_team([], "web", "dat-dai.bien-dong") is None
