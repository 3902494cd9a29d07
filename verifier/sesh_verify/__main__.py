from sesh_verify.cli import main

raise SystemExit(main())
