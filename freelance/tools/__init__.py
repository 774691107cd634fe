"""Tools around the product: the demo book, the benchmark, the generated command reference."""
