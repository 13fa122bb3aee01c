from bindings_tui.cli import main

raise SystemExit(main())
