from genls.cli import main

raise SystemExit(main())
