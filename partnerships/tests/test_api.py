from accounts.models import ApiToken


def bearer(user):
    return {"Authorization": "Bearer " + ApiToken.issue(user)}


def test_partnerships_lists_what_the_token_user_may_see(client, world, users):
    response = client.get("/api/v1/partnerships", headers=bearer(users["jette"]))
    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "belfaa-jette-2022-2026",
            "name": "Partenariat Belfaa – Jette 2022-2026",
            "names": {
                "ar": "شراكة بلفاع – جيت 2022-2026",
                "en": "Belfaa – Jette Partnership 2022-2026",
                "nl": "Partnerschap Belfaa – Jette 2022-2026",
            },
            "start_year": 2022,
            "end_year": 2026,
        }
    ]
    assert client.get("/api/v1/partnerships", headers=bearer(users["outsider"])).json() == []


def test_api_refuses_bad_and_missing_tokens(client, world, users):
    assert client.get("/api/v1/partnerships").status_code == 401
    assert client.get("/api/v1/partnerships", headers={"Authorization": "Bearer nope"}).status_code == 401
    users["jette"].is_active = False
    users["jette"].save()
    assert client.get("/api/v1/partnerships", headers=bearer(users["jette"])).status_code == 401


def test_only_a_hash_of_the_token_is_stored(world, users):
    raw = ApiToken.issue(users["jette"])
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert ApiToken.objects.for_raw(raw).get().user == users["jette"]


def test_openapi_schema_and_offline_docs_are_served(client, world):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200 and "/api/v1/partnerships" in schema.json()["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in docs and "unpkg" not in docs
