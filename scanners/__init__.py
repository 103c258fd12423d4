"""Where codes come from: frame sources, QR decoders, the keyboard-wedge parser, the repeat guard."""
