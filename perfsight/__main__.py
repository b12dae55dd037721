from perfsight.cli.main import main

raise SystemExit(main())
