"""Localization: languages and their CLDR territories, the product's ``messages`` domain,
questionnaire catalogs (one gettext domain per questionnaire) and the catalog tools."""
