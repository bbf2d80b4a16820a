from accounts.templatetags.site_text import sentence_case


def test_headings_and_buttons_in_sentence_case_with_the_sites_terms():
    assert sentence_case("Add Email Address") == "Add email address"
    assert sentence_case("Two-Factor Authentication") == "Two-factor authentication"
    assert sentence_case("Manage API Tokens With TOTP") == "Manage API tokens with TOTP"
    assert sentence_case("Security Keys (WebAuthn)") == "Security keys (WebAuthn)"
    assert sentence_case("Sign In") == "Log in" and sentence_case("Sign Up") == "Register"
    assert sentence_case("<b>Keep</b> Markup") == "<b>Keep</b> Markup"
