#!/usr/bin/env python3
"""Writes a synthetic OpenAPI 3.0.3 spec of N resources x 6 operations (list, create, search,
get, update, delete; JSON bodies, query/path parameters, enums, maps, nullable fields) to
stdout: `python3 synthetic-spec.py 50 > specs/big.yaml` gives 300 operations and 101 schemas.

Used to measure regen plus the next `cargo build` of a ~300-operation crate (issue 22):
copy the workspace, build it once, add the spec, then time `apilogin-regen --root <copy>` and
the `cargo build` after it, with the same `CARGO_TARGET_DIR`."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
out = ["openapi: 3.0.3", "info:", "  title: Synthetic Inventory API", "  version: 2.4.1",
       "servers:", "  - url: https://api.example.com/v1", "paths:"]
def error(description="error"):
    return [f"          description: {description}", "          content:",
            "            application/json:", "              schema: {$ref: '#/components/schemas/Error'}"]


def ok(code, description, schema):
    return [f"        '{code}':", f"          description: {description}", "          content:",
            "            application/json:", f"              schema: {schema}"]


for k in range(n):
    r, R = f"item{k}", f"Item{k}"
    many = f"{{type: array, items: {{$ref: '#/components/schemas/{R}'}}}}"
    one = f"{{$ref: '#/components/schemas/{R}'}}"
    body = ["      requestBody:", "        required: true", "        content:",
            "          application/json:", f"            schema: {{$ref: '#/components/schemas/New{R}'}}"]
    out += [f"  /{r}s:", "    get:", f"      operationId: list{R}s", "      parameters:",
            "        - {name: limit, in: query, schema: {type: integer, format: int32}}",
            "        - {name: cursor, in: query, schema: {type: string}}",
            "      responses:"] + ok(200, "ok", many) + ["        '4XX':"] + error()
    out += ["    post:", f"      operationId: create{R}"] + body + ["      responses:"] \
        + ok(201, "created", one) + ["        '4XX':"] + error()
    out += [f"  /{r}s/search:", "    get:", f"      operationId: search{R}s", "      parameters:",
            "        - {name: q, in: query, required: true, schema: {type: string}}",
            "        - {name: tag, in: query, schema: {type: array, items: {type: string}}}",
            "      responses:"] + ok(200, "ok", many)
    out += [f"  /{r}s/{{id}}:", "    parameters:",
            "      - {name: id, in: path, required: true, schema: {type: string}}",
            "    get:", f"      operationId: get{R}", "      responses:"] + ok(200, "ok", one) \
        + ["        '404':"] + error("missing")
    out += ["    put:", f"      operationId: update{R}"] + body + ["      responses:"] + ok(200, "ok", one)
    out += ["    delete:", f"      operationId: delete{R}", "      responses:",
            "        '204':", "          description: gone"]
out += ["components:", "  schemas:", "    Error:", "      type: object", "      required: [code, message]",
        "      properties:", "        code: {type: string}", "        message: {type: string}"]
props = ["        name: {type: string}", "        count: {type: integer, format: int64}",
         "        price: {type: number, format: double}", "        active: {type: boolean}",
         "        tags: {type: array, items: {type: string}}",
         "        kind: {type: string, enum: [small, medium, large]}",
         "        notes: {type: string, nullable: true}",
         "        attributes: {type: object, additionalProperties: {type: string}}"]
for k in range(n):
    R = f"Item{k}"
    out += [f"    New{R}:", "      type: object", "      required: [name]", "      properties:"] + props
    out += [f"    {R}:", "      type: object", "      required: [id, name]", "      properties:",
            "        id: {type: string}"] + props
print("\n".join(out))
