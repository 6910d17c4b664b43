"""Which member of a family a message means: what happened to the paper outranks the verb.

"cccd sắp hết hạn, làm lại online dc ko" is a renewal (Cấp đổi), though "làm lại" is also said
of a replacement (Cấp lại): a situation cue (hết hạn, hỏng, mất) is more telling than a generic
verb (làm lại, cấp lại, đổi), whatever the order of the members in connectors/seed/variants.yml.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from connectors.procedures.variants import Family, Member
from connectors.text import fold

CARD_RENEWAL, CARD_REPLACEMENT, CARD_CHILD, CARD = "1.014063", "1.014064", "1.014062", "1.014061"
LICENCE_SWAP, LICENCE_REPLACEMENT, LICENCE_TEST = "3.000347", "3.000348", "3.000346"
PASSPORT = "1.001456"
REGISTRATION_SWAP, REGISTRATION_REPLACEMENT = "1.013079", "1.013082"
LAND_SWAP, LAND_REPLACEMENT, LAND_FIRST = "1.012783", "1.012786", "1.013978"

PHRASINGS = [
    # the play-through
    ("cccd của e sắp hết hạn, làm lại online dc ko", CARD_RENEWAL),
    ("mất cccd làm lại", CARD_REPLACEMENT),
    ("cccd hết hạn làm lại", CARD_RENEWAL),
    ("làm lại căn cước bị hỏng", CARD_RENEWAL),
    ("làm lại hộ chiếu hết hạn", PASSPORT),
    # an expired licence is tested again under Cấp giấy phép lái xe (the record of 3.000346);
    # one about to expire is swapped
    ("bằng lái hết hạn đổi", LICENCE_TEST),
    ("bằng lái quá hạn 2 tháng rồi", LICENCE_TEST),
    ("bằng lái sắp hết hạn đổi ở đâu", LICENCE_SWAP),
    ("mất bằng lái làm lại", LICENCE_REPLACEMENT),
    # a verb alone still picks its member
    ("cấp lại thẻ căn cước", CARD_REPLACEMENT),
    ("đổi thẻ căn cước", CARD_RENEWAL),
    ("làm lại căn cước được hông", CARD_REPLACEMENT),  # "hông" is "không", not "hỏng"
    ("căn cước bị gãy, làm lại thẻ mới", CARD_RENEWAL),
    ("đánh rơi căn cước, đổi thẻ mới", CARD_REPLACEMENT),
    ("bé nhà mình 5 tuổi làm căn cước", CARD_CHILD),
    ("làm căn cước lần đầu", CARD),
    ("bằng lái bị hỏng, làm lại", LICENCE_SWAP),
    ("đổi bằng lái bị mất", LICENCE_REPLACEMENT),
    ("cà vẹt xe bị rách, làm lại", REGISTRATION_SWAP),
    ("mất cà vẹt xe, đổi cái mới", REGISTRATION_REPLACEMENT),
    ("sổ đỏ bị mất, đổi sổ mới", LAND_REPLACEMENT),
    ("sổ đỏ bị rách cấp lại", LAND_SWAP),
    ("cccd hỏng", CARD_RENEWAL),
    ("cccd hỏng làm lại được hông", CARD_RENEWAL),
    ("cà vẹt hỏng", REGISTRATION_SWAP),
    ("bằng lái hỏng", LICENCE_SWAP),
    ("sổ đỏ hỏng", LAND_SWAP),
    ("làm sổ hồng lần đầu", LAND_FIRST),  # "sổ hồng" is the certificate, not a damaged one
]


@pytest.fixture(scope="module")
def client(catalogue_client: TestClient) -> TestClient:
    return catalogue_client


def resolve(client: TestClient, q: str) -> Any:
    response = client.get("/api/v1/procedures/resolve", params={"q": q})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    "q, code",
    [*PHRASINGS, *((fold(q), code) for q, code in PHRASINGS)],
)
def test_the_most_telling_detail_picks_the_member(client: TestClient, q: str, code: str) -> None:
    body = resolve(client, q)

    assert body["decision"] == "confident", body
    assert body["procedure"]["code"] == code, body


def test_a_situation_outranks_a_verb_of_an_earlier_member() -> None:
    family = Family(name="thẻ", members=[
        Member(code="lost", cues=["mat"], verbs=["lam lai"]),
        Member(code="renew", cues=["het han"], verbs=["doi"]),
        Member(code="first", default=True),
    ])

    assert family.pick(("the", "het", "han", "lam", "lai"), (), "first") == ("renew", "het han")
    assert family.pick(("lam", "lai", "the"), (), "first") == ("lost", "lam lai")
    assert family.pick(("doi", "the", "bi", "mat"), (), "first") == ("lost", "mat")
    assert family.pick(("the", "moi"), (), "first") == ("first", "default")
