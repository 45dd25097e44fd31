from stepnet.cli import main

raise SystemExit(main())
