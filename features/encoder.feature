Feature: Encoding a credential
  An issuer turns an identity into QR text in a fixed order: the claim 169 map
  under key 169 of a CWT claims set, signed into a tagged COSE_Sign1, optionally
  encrypted into a COSE_Encrypt0, compressed into one zlib stream and written in
  Base45. The suite asks the implementation to encode and checks the result with
  the reference: alphabet, layers, tags, signature, types and every field.

  @C169-QR-001 @C169-B45-002 @C169-B45-003 @C169-B45-009 @C169-ZLIB-001 @C169-COSE-016 @C169-CWT-010 @C169-CLAIM-003 @C169-BIO-001 @must @encode
  Scenario Outline: An encoded credential is conformant and carries every field (<identity>, <key>)
    Given a credential for the "<identity>" identity
    And its claims are "full"
    And it is signed with the "<key>" test key
    When the implementation encodes it
    Then the output passes the checks "base45-alphabet", "one-zlib-stream", "alg-protected", "signature-verifies", "integer-keys", "table-types", "fields-equal"

    @EdDSA
    Examples: EdDSA
      | identity       | key       |
      | minimal        | ed25519-a |
      | demographics   | ed25519-a |
      | unicode        | ed25519-a |
      | face           | ed25519-a |
      | all-biometrics | ed25519-a |

    @ES256
    Examples: ES256
      | identity     | key    |
      | minimal      | p256-a |
      | demographics | p256-a |
      | face         | p256-a |

    @ES384
    Examples: ES384
      | identity       | key    |
      | unicode        | p384-a |
      | all-biometrics | p384-a |

    @ES512
    Examples: ES512
      | identity     | key    |
      | minimal      | p521-a |
      | demographics | p521-a |

  # What the texts recommend of an encoder: tag 18, YYYYMMDD dates, preferred serialisation,
  # and a text that fits a version-40 QR symbol.
  @C169-COSE-003 @C169-SEC-013 @C169-CLAIM-108 @C169-QR-004 @should @encode
  Scenario Outline: An encoded credential follows the recommended forms (<identity>, <key>)
    Given a credential for the "<identity>" identity
    And its claims are "full"
    And it is signed with the "<key>" test key
    When the implementation encodes it
    Then the output passes the checks "cose-sign1-tagged", "dob-format", "preferred-cbor", "fits-qr-v40"

    @EdDSA
    Examples: EdDSA
      | identity       | key       |
      | minimal        | ed25519-a |
      | demographics   | ed25519-a |
      | unicode        | ed25519-a |
      | face           | ed25519-a |
      | all-biometrics | ed25519-a |

    @ES256
    Examples: ES256
      | identity     | key    |
      | minimal      | p256-a |
      | demographics | p256-a |
      | face         | p256-a |

    @ES384
    Examples: ES384
      | identity       | key    |
      | unicode        | p384-a |
      | all-biometrics | p384-a |

    @ES512
    Examples: ES512
      | identity     | key    |
      | minimal      | p521-a |
      | demographics | p521-a |

  @C169-ENC-002 @C169-ENC-003 @C169-ENC-004 @C169-ENC-005 @C169-ENC-006 @must @encode @EdDSA
  Scenario Outline: An encrypted credential is signed first, then encrypted (<enc>)
    Given a credential for the "face" identity
    And it is encrypted with the "<enc>" test key
    When the implementation encodes it
    Then the output passes the checks "base45-alphabet", "one-zlib-stream", "decrypts", "signature-verifies", "fields-equal"

    @A128GCM
    Examples: A128GCM
      | enc      |
      | aes128-a |

    @A192GCM
    Examples: A192GCM
      | enc      |
      | aes192-a |

    @A256GCM
    Examples: A256GCM
      | enc      |
      | aes256-a |

  @C169-COSE-003 @C169-ENC-004 @should @encode @EdDSA
  Scenario Outline: An encrypted credential is tagged 16 around a tagged COSE_Sign1 (<enc>)
    Given a credential for the "face" identity
    And it is encrypted with the "<enc>" test key
    When the implementation encodes it
    Then the output passes the checks "cose-sign1-tagged", "decrypts", "fields-equal"

    @A128GCM
    Examples: A128GCM
      | enc      |
      | aes128-a |

    @A256GCM
    Examples: A256GCM
      | enc      |
      | aes256-a |

  @C169-ENC-010 @C169-ENC-008 @must @encode @EdDSA @A256GCM
  Scenario: Every encryption draws a fresh 12-byte IV
    Given a credential
    And it is encrypted with the "aes256-a" test key
    And the encoder draws its own IV
    When the implementation encodes it
    Then the output passes the checks "decrypts", "signature-verifies", "fresh-iv"

  @C169-CLAIM-001 @C169-CLAIM-002 @must @encode @EdDSA
  Scenario: An empty identity is encoded as an empty map
    Given a credential for the "empty" identity
    When the implementation encodes it
    Then the output passes the checks "base45-alphabet", "one-zlib-stream", "signature-verifies", "integer-keys", "fields-equal"

  @C169-CLAIM-160 @should @encode @EdDSA
  Scenario: An attribute under an unassigned key is carried unchanged
    Given a credential
    And its attribute "30" is "closed-ecosystem value"
    When the implementation encodes it
    Then the output passes the checks "one-zlib-stream", "signature-verifies", "fields-equal"

  @C169-QR-004 @should @encode @EdDSA
  Scenario: Every demographic attribute with a photo fits a version-40 QR symbol
    Given a credential for the "demographics" identity
    When the implementation encodes it
    Then the output passes the checks "base45-alphabet", "fits-qr-v40", "fields-equal"

  # The issuer prints at a chosen error-correction level: the text must be in the QR
  # alphanumeric set (lowercase forces byte mode, about 45 % more room) and fit a
  # version-40 symbol at that level. A conformant encoder's output for these
  # identities fits with room to spare (see `c169 qr fit`).
  @C169-QR-004 @C169-B45-001 @should @encode @EdDSA
  Scenario Outline: The text prints as one alphanumeric QR symbol at level <level> (<identity>)
    Given a credential for the "<identity>" identity
    And it is to be printed at error-correction level "<level>"
    When the implementation encodes it
    Then the output passes the checks "base45-alphabet", "fits-qr-v40", "fields-equal"

    Examples:
      | identity       | level |
      | demographics   | H     |
      | face           | Q     |
      | all-biometrics | L     |
      | all-biometrics | M     |

  @C169-CLAIM-150 @C169-CLAIM-151 @C169-CLAIM-152 @should @encode @EdDSA
  Scenario: Languages, phone and nationality keep their recommended formats
    Given a credential for the "empty" identity
    And its attribute "fullName" is "Format Person"
    And its attribute "language" is "eng"
    And its attribute "secondaryLanguage" is "ara"
    And its attribute "phone" is "+91 98765 43210"
    And its attribute "nationality" is "IND"
    When the implementation encodes it
    Then the output passes the checks "language-codes", "phone-e123", "nationality-code", "fields-equal"

  @C169-CLAIM-153 @should @encode @EdDSA
  Scenario: An address of several lines is written with line feeds
    Given a credential
    And its attribute "address" is "Line one\nLine two\nLine three"
    When the implementation encodes it
    Then the output passes the checks "base45-alphabet", "one-zlib-stream", "fields-equal"

  @C169-CLAIM-108 @C169-CLAIM-116 @C169-CLAIM-117 @must @encode @EdDSA
  Scenario: A date of birth and a photo are written with their table types
    Given a credential
    And its attribute "dateOfBirth" is "19840418"
    And its attribute "photo" is "ffd8ffe000104a464946"
    And its attribute "photoFormat" is 1
    When the implementation encodes it
    Then the output passes the checks "integer-keys", "table-types", "fields-equal"

  @C169-CLAIM-108 @should @encode @EdDSA
  Scenario: A date of birth is written YYYYMMDD
    Given a credential
    And its attribute "dateOfBirth" is "19840418"
    When the implementation encodes it
    Then the output passes the checks "dob-format", "fields-equal"

  @C169-CWT-017 @C169-CWT-010 @should @encode @EdDSA
  Scenario: The default claims carry the issuer and a validity period as plain numbers
    Given a credential
    When the implementation encodes it
    Then the output passes the checks "one-zlib-stream", "cose-sign1-tagged", "alg-protected", "signature-verifies", "preferred-cbor", "fields-equal"

  # Base45 output, one rule of RFC 9285 §4 at a time.
  @C169-B45-009 @C169-QR-001 @must @encode @EdDSA
  Scenario Outline: The text holds nothing but the 45 Base45 symbols (<identity>)
    Given a credential for the "<identity>" identity
    When the implementation encodes it
    Then the output passes the checks "base45-alphabet"

    Examples:
      | identity |
      | minimal  |
      | unicode  |
      | face     |

  # With the reference these compress to an even number of bytes: triplets only.
  @C169-B45-002 @C169-ZLIB-001 @must @encode @EdDSA
  Scenario Outline: Each byte pair is written as three symbols, least significant first (<identity>)
    Given a credential for the "<identity>" identity
    And its claims are "full"
    When the implementation encodes it
    Then the output passes the checks "one-zlib-stream", "fields-equal"

    Examples:
      | identity     |
      | minimal      |
      | demographics |

  # With the reference these compress to an odd number of bytes: the last byte is two symbols.
  @C169-B45-003 @C169-B45-002 @C169-ZLIB-001 @must @encode @EdDSA
  Scenario Outline: A last single byte is written as two symbols, without padding (<identity>)
    Given a credential for the "<identity>" identity
    And its claims are "<claims>"
    When the implementation encodes it
    Then the output passes the checks "one-zlib-stream", "fields-equal"

    Examples:
      | identity | claims  |
      | face     | full    |
      | empty    | default |

  @C169-SEC-013 @should @encode @EdDSA
  Scenario Outline: The claims set is written in preferred serialization (<identity>)
    Given a credential for the "<identity>" identity
    And its claims are "full"
    When the implementation encodes it
    Then the output passes the checks "preferred-cbor", "fields-equal"

    Examples:
      | identity       |
      | demographics   |
      | all-biometrics |

  @C169-CLAIM-151 @C169-CLAIM-112 @should @encode @EdDSA
  Scenario: A phone number in E.123 international notation is kept so
    Given a credential
    And its attribute "phone" is "+254 20 123 4567"
    When the implementation encodes it
    Then the output passes the checks "phone-e123", "fields-equal"

  @C169-CLAIM-152 @C169-CLAIM-113 @should @encode @EdDSA
  Scenario Outline: A <kind> nationality code is kept so
    Given a credential
    And its attribute "nationality" is "<code>"
    When the implementation encodes it
    Then the output passes the checks "nationality-code", "fields-equal"

    Examples:
      | kind   | code |
      | alpha2 | KE   |
      | alpha3 | KEN  |
