"""What more than one deployable must agree on: the Lambda package, the page, infra, the bench.

Pure Python with no AWS imports: routes and header names (`routes`,
`headers`), error codes (`codes`), the rules a request is checked against
(`rules`), rate-limit specs (`limits`), the token format (`tokens`), the
table's key schema (`table_keys`), every environment variable either
deployable reads (`environment`), bounds and cooldowns (`bounds`) and the date
format people read (`dates`). The page's image ships this package and
`web/` only; the Lambda zip ships it beside `backend/`.
"""
