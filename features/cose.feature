Feature: The COSE_Sign1 around the claims
  The claims set travels as the payload of a COSE_Sign1 under tag 18, possibly
  inside the CWT tag 61. Its algorithm must stand in the protected header, its
  header maps must be well formed, and nothing may follow the message. The kid
  helps find the key but never replaces the signature check.

  @C169-COSE-016 @C169-COSE-002 @C169-COSE-013 @C169-QR-002 @must @verify
  Scenario Outline: A credential signed with <key> is accepted (<identity>)
    Given a credential for the "<identity>" identity
    And its claims are "full"
    And it is signed with the "<key>" test key
    When the implementation decodes it
    Then it is accepted
    And the signature is reported verified

    @EdDSA
    Examples: EdDSA
      | key       | identity |
      | ed25519-a | face     |
      | ed25519-a | large    |

    @ES256
    Examples: ES256
      | key    | identity       |
      | p256-a | minimal        |
      | p256-a | demographics   |
      | p256-a | all-biometrics |
      | p256-a | empty          |

    @ES384
    Examples: ES384
      | key    | identity     |
      | p384-a | minimal      |
      | p384-a | unicode      |
      | p384-a | fingerprints |

    @ES512
    Examples: ES512
      | key    | identity |
      | p521-a | minimal  |
      | p521-a | face     |
      | p521-a | large    |

  @C169-COSE-005 @must @verify
  Scenario Outline: The CWT tag 61 around tag 18 is accepted (<key>)
    Given a credential
    And it is signed with the "<key>" test key
    And the encoder option "tags" is "cwt_and_cose"
    When the implementation decodes it
    Then it is accepted

    @EdDSA
    Examples: EdDSA
      | key       |
      | ed25519-a |

    @ES256
    Examples: ES256
      | key    |
      | p256-a |

    @ES384
    Examples: ES384
      | key    |
      | p384-a |

    @ES512
    Examples: ES512
      | key    |
      | p521-a |

  @C169-COSE-005 @must @verify @EdDSA
  Scenario: The CWT tag 61 directly around an untagged array is refused
    Given a credential
    And the encoder option "tags" is "none"
    And its cose is edited with {"prepend": "d83d"}
    When the implementation decodes it
    Then it is rejected at the cose stage

  @C169-COSE-004 @C169-COSE-003 @profile @verify @EdDSA
  Scenario: An untagged COSE_Sign1 may be read or refused; the strict profile reads it
    Given a credential
    And the encoder option "tags" is "none"
    When the implementation decodes it
    Then either answer conforms, preferring acceptance

  @C169-COSE-001 @C169-COSE-002 @must @verify @EdDSA
  Scenario Outline: A tag other than a signed or encrypted message is refused (<name>)
    Given a credential
    And its cose is edited with {"skip": 1}
    And its cose is edited with {"prepend": "<tag>"}
    When the implementation decodes it
    Then it is rejected at the cose stage

    Examples:
      | name                   | tag  |
      | COSE_Mac0 (17)         | d1   |
      | tag 1                  | c1   |
      | COSE_Encrypt0 on Sign1 | d0   |
      | tag 97                 | d861 |

  # Tag 98 names a COSE_Sign, whose signatures are an array of COSE_Signature: a COSE_Sign1 array under it is malformed.
  @C169-COSE-002 @C169-COSE-027 @must @verify @EdDSA
  Scenario: A COSE_Sign1 array under the COSE_Sign tag is refused
    Given a credential
    And its cose is edited with {"skip": 1}
    And its cose is edited with {"prepend": "d862"}
    When the implementation decodes it
    Then it is rejected at the cose stage

  @C169-COSE-002 @must @verify @EdDSA
  Scenario: A CBOR map in place of the COSE array is refused
    Given a credential
    And its cose is edited with {"replace": "a10102"}
    When the implementation decodes it
    Then it is rejected at the cose stage

  @C169-SEC-009 @must @verify @EdDSA
  Scenario: Bytes that are not CBOR in place of the COSE message are refused
    Given a credential
    And its cose is edited with {"replace": "1c0000"}
    When the implementation decodes it
    Then it is rejected at the cose stage

  @C169-COSE-025 @must @verify
  Scenario Outline: A byte after the COSE message is refused (<key>)
    Given a credential
    And it is signed with the "<key>" test key
    And its cose is edited with {"append": "00"}
    When the implementation decodes it
    Then it is rejected at the cose stage

    @EdDSA
    Examples: EdDSA
      | key       |
      | ed25519-a |

    @ES256
    Examples: ES256
      | key    |
      | p256-a |

  @C169-COSE-009 @C169-SEC-004 @must @verify
  Scenario Outline: The algorithm only in the unprotected header is refused (<key>)
    Given a credential
    And it is signed with the "<key>" test key
    And the encoder option "alg_placement" is "unprotected"
    When the implementation decodes it
    Then it is rejected at the cose stage

    @EdDSA
    Examples: EdDSA
      | key       |
      | ed25519-a |

    @ES256
    Examples: ES256
      | key    |
      | p256-a |

    @ES384
    Examples: ES384
      | key    |
      | p384-a |

    @ES512
    Examples: ES512
      | key    |
      | p521-a |

  @C169-COSE-009 @must @verify
  Scenario Outline: A message without any algorithm is refused (<key>)
    Given a credential
    And it is signed with the "<key>" test key
    And the encoder option "alg_placement" is "omit"
    When the implementation decodes it
    Then it is rejected at the cose stage

    @EdDSA
    Examples: EdDSA
      | key       |
      | ed25519-a |

    @ES256
    Examples: ES256
      | key    |
      | p256-a |

  @C169-COSE-010 @should @verify @EdDSA
  Scenario: The algorithm in both headers may be read from the protected one or refused; refusing is recommended
    Given a credential
    And the encoder option "alg_placement" is "both"
    When the implementation decodes it
    Then either answer conforms, preferring rejection

  @C169-COSE-026 @C169-COSE-016 @must @verify @EdDSA
  Scenario Outline: An algorithm this format does not use is refused, never replaced (<name>)
    Given a credential
    And the encoder option "alg_value" is <alg>
    When the implementation decodes it
    Then it is rejected at the cose stage

    Examples:
      | name       | alg     |
      | RS256      | -257    |
      | zero       | 0       |
      | HMAC 256   | 5       |
      | text ES256 | "ES256" |

  @C169-COSE-023 @must @verify @EdDSA
  Scenario Outline: A crit header the decoder cannot honour is refused (<case>)
    Given a credential
    And the encoder option "<bucket>" is <value>
    When the implementation decodes it
    Then it is rejected at the cose stage

    Examples:
      | case                  | bucket            | value                                  |
      | unknown label 99      | extra_protected   | [[2, [99]], [99, 0]]                   |
      | unknown text label    | extra_protected   | [[2, ["x-private"]], ["x-private", 1]] |
      | crit left unprotected | extra_unprotected | [[2, [4]]]                             |
      | empty crit            | extra_protected   | [[2, []]]                              |

  @C169-COSE-023 @must @verify @EdDSA
  Scenario: A crit naming the protected kid is understood
    Given a credential
    And the encoder option "extra_protected" is [[2, [4]]]
    When the implementation decodes it
    Then it is accepted

  # The repeated label carries the same value: whichever copy a lax decoder keeps, it would accept.
  @C169-COSE-011 @must @verify @EdDSA
  Scenario Outline: A label twice in the protected header is refused (label <label>)
    Given a credential
    And the encoder option "extra_protected" is [[<label>, <value>]]
    When the implementation decodes it
    Then it is rejected at the cose stage

    Examples:
      | label | value                          |
      | 1     | -8                             |
      | 4     | {"bstr": "656432353531392d61"} |

  @C169-COSE-011 @must @verify @EdDSA
  Scenario: The kid twice in the unprotected header is refused
    Given a credential
    And the encoder option "kid_placement" is "unprotected"
    And the encoder option "extra_unprotected" is [[4, {"bstr": "656432353531392d61"}]]
    When the implementation decodes it
    Then it is rejected at the cose stage

  # Edited after signing, the header no longer matches the signature: read without a key,
  # only the malformed header itself can stop the credential.
  @C169-COSE-008 @C169-COSE-006 @must @decode_unverified
  Scenario: A byte after the map inside the protected header is refused
    Given a credential
    And its signed protected is edited with {"append": "00"}
    And the decoder is given no key to verify
    When the implementation decodes it
    Then it is rejected at the cose stage

  # The control: the same credential, intact, read without a key.
  @C169-QR-006 @C169-COSE-008 @observed @decode_unverified
  Scenario: An intact protected header read without a key is accepted, not verified
    Given a credential
    And the decoder is given no key to verify
    When the implementation decodes it
    Then it is accepted
    And the signature is reported not verified

  @C169-COSE-009 @C169-COSE-007 @must @verify @EdDSA
  Scenario Outline: An empty protected header leaves the message without an algorithm (<form>)
    Given a credential
    And it is signed with the "none" test key
    And the encoder option "empty_protected_as_map" is <as_map>
    When the implementation decodes it
    Then it is rejected at the cose stage

    Examples:
      | form  | as_map |
      | h''   | false  |
      | h'a0' | true   |

  @C169-COSE-018 @must @verify
  Scenario Outline: The kid may stand in either header (<where>, <key>)
    Given a credential
    And it is signed with the "<key>" test key
    And the encoder option "kid_placement" is "<where>"
    When the implementation decodes it
    Then it is accepted

    @EdDSA
    Examples: EdDSA
      | where       | key       |
      | protected   | ed25519-a |
      | unprotected | ed25519-a |
      | omit        | ed25519-a |

    @ES384
    Examples: ES384
      | where       | key    |
      | unprotected | p384-a |

  @C169-COSE-010 @C169-COSE-018 @should @verify @EdDSA
  Scenario: A kid in both headers may be taken from the protected one or refused; refusing is recommended
    Given a credential
    And the encoder option "kid_placement" is "both"
    When the implementation decodes it
    Then either answer conforms, preferring rejection

  @C169-COSE-018 @must @verify @EdDSA
  Scenario: A kid written as text instead of bytes is refused
    Given a credential
    And the encoder option "kid_placement" is "omit"
    And the encoder option "extra_unprotected" is [[4, "ed25519-a"]]
    When the implementation decodes it
    Then it is rejected at the cose stage

  @C169-COSE-021 @C169-COSE-020 @C169-COSE-022 @must @verify @EdDSA
  Scenario Outline: A certificate header is parsed but not trusted (<name>)
    Given a credential
    And the encoder option "extra_unprotected" is [[<label>, <value>]]
    When the implementation decodes it
    Then it is accepted

    Examples:
      | name        | label | value                                                                               |
      | x5chain one | 33    | {"bstr": "3082010a0201"}                                                            |
      | x5chain two | 33    | [{"bstr": "3082010a0201"}, {"bstr": "3082010a0202"}]                                |
      | x5bag two   | 32    | [{"bstr": "3082010a0201"}, {"bstr": "3082010a0202"}]                                |
      | x5t         | 34    | [-16, {"bstr": "b4b0b7f7f3e9a3a4e1f3a1e3b2c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f80"}] |
      | x5u         | 35    | "https://issuer.c169.example/certs/signer.pem"                                      |

  # Claim 169 verification does not use the certificate headers of the unprotected bucket.
  @C169-COSE-021 @profile @verify @EdDSA
  Scenario Outline: A malformed certificate header left unprotected may be read or refused; the strict profile refuses it (<name>)
    Given a credential
    And the encoder option "extra_unprotected" is [[<label>, <value>]]
    When the implementation decodes it
    Then either answer conforms, preferring rejection

    Examples:
      | name              | label | value          |
      | x5chain integer   | 33    | 7              |
      | x5bag empty array | 32    | []             |
      | x5t one element   | 34    | [-16]          |
      | x5u as bytes      | 35    | {"bstr": "00"} |

  @C169-COSE-021 @must @verify @EdDSA
  Scenario Outline: A malformed certificate header in the protected header is refused (<name>)
    Given a credential
    And the encoder option "extra_protected" is [[<label>, <value>]]
    When the implementation decodes it
    Then it is rejected at the cose stage

    Examples:
      | name              | label | value          |
      | x5chain integer   | 33    | 7              |
      | x5bag empty array | 32    | []             |
      | x5t one element   | 34    | [-16]          |
      | x5u as bytes      | 35    | {"bstr": "00"} |

  @C169-COSE-021 @C169-COSE-022 @must @verify @EdDSA
  Scenario: A well-formed certificate header in the protected header is parsed but not trusted
    Given a credential
    And the encoder option "extra_protected" is [[33, {"bstr": "3082010a0201"}]]
    When the implementation decodes it
    Then it is accepted

  @C169-COSE-024 @must @verify @EdDSA
  Scenario: A detached payload is refused
    Given a credential
    And the encoder option "detach_payload" is true
    When the implementation decodes it
    Then it is rejected at the cose stage
