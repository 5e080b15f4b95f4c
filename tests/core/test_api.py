from tests.factories import PASSWORD


def test_a_token_opens_the_api(api, agent):
    response = api.post("/api/v1/auth/token/", {"username": "t_agent", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/units/").status_code == 200


def test_no_credentials_is_401_json(api, reference):
    response = api.get("/api/v1/units/")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "detail": "身份认证信息未提供。"}
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_bad_token_is_401(api, reference):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = api.get("/api/v1/units/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_role_without_access_is_403_json(api, handler_a, admin_user):
    response = api.as_user(handler_a).get("/api/v1/users/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert api.as_user(admin_user).get("/api/v1/users/").status_code == 200


def test_unknown_api_paths_are_404_json(api, agent):
    response = api.as_user(agent).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_invalid_input_is_400_with_field_errors(api, reference):
    response = api.post("/api/v1/auth/token/", {"username": "x"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "password" in body["errors"]
    assert body["detail"].startswith("password")


def test_categories_form_a_three_level_tree(api, agent):
    api.as_user(agent)
    top = api.get("/api/v1/categories/", {"level": 1}).json()["results"]
    assert "城市管理" in {c["name"] for c in top}
    leaves = api.get("/api/v1/categories/", {"parent": "0201"}).json()["results"]
    assert {"code": "020101", "name": "供暖不热", "parent": "0201", "level": 3} in leaves


def test_the_openapi_schema_and_docs_are_served_without_a_cdn(client, agent):
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    body = schema.json()
    assert body["openapi"].startswith("3.")
    assert "/api/v1/units/" in body["paths"] and "/api/v1/auth/token/" in body["paths"]
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn." not in docs and "unpkg" not in docs and "jsdelivr" not in docs


def test_the_schema_declares_the_error_answers_and_the_nullable_references(client):
    schema = client.get("/api/schema/?format=json").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "detail"]
    create = schema["paths"]["/api/v1/demands/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409", "422", "429", "503"} <= set(create)
    for component, field in [("Category", "parent"), ("Unit", "parent"), ("User", "unit"), ("Article", "category")]:
        assert schema["components"]["schemas"][component]["properties"][field].get("nullable") is True, component


def test_dates_in_implausible_years_are_refused_with_the_reason(api, leader):
    client = api.as_user(leader)
    answer = client.post("/api/v1/reports/", {"kind": "daily", "date": "0163-11-02"}, format="json")
    assert answer.status_code == 400 and "2000" in str(answer.json()["errors"]["date"])
