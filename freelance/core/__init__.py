"""The ground floor: kinds, settings, money, rules, dates, text and limits, each once."""
