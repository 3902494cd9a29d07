"""What every endpoint under /api/ shares: the JSON parser, the error envelope, the schema's rules.

- `parsers`: the only request parser (JSON, bounded in size and nesting, refused cheaply);
- `problems`: the one error envelope (RFC 9457 problem details plus `errors`) and the DRF hook;
- `middleware`: the same envelope for errors no API view produced (resolver 404s, CSRF, crashes);
- `negotiation`: the view's own format when `Accept` names none it has (never a 406);
- `fields`, `schema`, `examples`: what the OpenAPI schema states about each value, and real examples.
"""
