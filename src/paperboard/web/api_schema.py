"""What the API's answers look like, for its OpenAPI description (the handlers build the JSON by hand in
``hf_json``; these models only describe it, and the schemathesis test holds the two together)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Shape(BaseModel):
    model_config = ConfigDict(populate_by_name=True)  # extra keys are allowed in the answers


class ErrorBody(_Shape):
    error: str = Field(description="What is wrong, for a person to read.")


class Author(_Shape):
    id: str = Field(alias="_id")
    name: str
    hidden: bool


class HubUser(_Shape):
    id: str = Field(alias="_id")
    name: str
    user: str
    fullname: str
    avatarUrl: str
    type: str
    isPro: bool


class Organization(_Shape):
    id: str = Field(alias="_id")
    name: str
    fullname: str
    avatar: str
    avatarUrl: str


class HubFields(_Shape):
    """What huggingface_hub's PaperInfo reads beside the paper's text, on papers and on daily items."""

    ai_summary: str | None = Field(description="One sentence on the paper: the Hub's when a dump brought it, "
                                   "else the sentence of the abstract that says what the paper does.")
    ai_keywords: list[str] | None = Field(description="3-8 keywords of the paper (the Hub's, else written "
                                          "offline from the title and abstract).")
    githubRepo: str | None = Field(description="The paper's code repository, when one is known.")
    githubStars: int | None
    projectPage: str | None
    organization: Organization | None
    linkedModels: list[dict[str, Any]]
    numTotalModels: int
    linkedDatasets: list[dict[str, Any]]
    numTotalDatasets: int
    linkedSpaces: list[dict[str, Any]]
    numTotalSpaces: int
    thumbnail: str = Field(description="The paper's card, an image this site serves.")
    mediaUrls: list[str]


class Paper(HubFields):
    id: str
    authors: list[Author]
    publishedAt: str | None = Field(description="The paper's first version, ISO 8601 ending in Z.")
    title: str
    summary: str
    upvotes: int
    numComments: int
    discussionId: str
    submittedOnDailyAt: str | None = None
    submittedOnDailyBy: HubUser | None = None


class DailyItem(HubFields):
    paper: Paper
    publishedAt: str | None = Field(description="When it was put on the daily feed (else the paper's date).")
    title: str
    summary: str
    numComments: int
    isAuthorParticipating: bool
    submittedBy: HubUser | None = None


class ForYouItem(DailyItem):
    reason: str = Field(description="Why it is here: the paper you liked that it is like, or 'trending: ...' "
                                    "while you have nothing to go on yet.")


class FeedbackOut(_Shape):
    id: str
    signal: str | None = Field(
        description="not_interested, less_like_this, more_like_this, or null: taken back.")


class TopicOut(_Shape):
    id: int
    name: str
    query: str
    examples: list[str] = Field(description="Its example papers' ids: it holds the papers like them.")
    owner: str
    public: bool
    createdAt: str | None


class FollowOut(_Shape):
    author: str = Field(description="The name as the stored papers spell it.")
    following: bool
    person: str | None = Field(None, description="Where one of the people who write under the name is "
                               "followed: the paper they were chosen by.")


class Vote(_Shape):
    id: str
    upvotes: int
    upvoted: bool


class Comment(_Shape):
    id: int
    paper: str | None = None
    author: str | None
    body: str
    parentId: int | None = Field(None, description="The thread's first comment, for a reply.")
    createdAt: str | None


class Links(_Shape):
    id: str
    githubRepo: str | None
    projectPage: str | None
    suggested: bool  # true: the giver is not a verified author, so these are shown as a suggestion


class ClaimOut(_Shape):
    id: int
    paper: str
    author: str
    user: str
    status: str = Field(description="pending, confirmed or refused.")
    createdAt: str | None


class Repos(_Shape):
    models: list[dict[str, Any]]
    datasets: list[dict[str, Any]]
    spaces: list[dict[str, Any]]


ERRORS: dict[int, str] = {
    400: "The request is malformed or a value is out of range.",
    401: "An API token is needed, or the one given is not valid.",
    403: "The token's owner may not do this.",
    404: "No such paper.",
    413: "The request body is too large.",
    429: "Too many requests; Retry-After says when to try again.",
    503: "The search index cannot answer now (being rebuilt or unreadable); the message says why.",
}


def responses(ok: type[BaseModel] | None, *, status: int = 200, many: bool = False,
              errors: tuple[int, ...] = (400, 413, 429), extra: dict[int, str] | None = None
              ) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: its answer and the errors it can give, each ``{"error": ...}``."""
    out: dict[int | str, dict[str, Any]] = {}
    if ok is not None:
        schema: Any = list[ok] if many else ok  # type: ignore[valid-type]
        out[status] = {"model": schema}
    for code in errors:
        out[code] = {"model": ErrorBody, "description": ERRORS[code]}
    for code, said in (extra or {}).items():
        out[code] = {"model": ErrorBody, "description": said}
    return out


def without_validation_422(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI documents a 422 for every route with parameters; this API answers those with 400."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict):
                operation.get("responses", {}).pop("422", None)
    for name in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(name, None)
    return schema
