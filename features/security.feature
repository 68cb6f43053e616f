Feature: Signatures and keys
  The claims may be trusted only once the signature checks out under a key the
  verifier already holds for the issuer. Any change to the signature, the signed
  payload or the protected header breaks it; ECDSA signatures are raw r and s of
  the curve's size; the algorithm comes from the protected header and must suit the
  key; and an unusable key is refused rather than used.

  @C169-COSE-013 @C169-SEC-001 @must @verify
  Scenario Outline: A flipped signature bit is refused (<key>, <identity>)
    Given a credential for the "<identity>" identity
    And it is signed with the "<key>" test key
    And its signature is edited with {"xor": [0, 128]}
    When the implementation decodes it
    Then it is rejected at the signature stage

    @EdDSA
    Examples: EdDSA
      | key       | identity |
      | ed25519-a | minimal  |
      | ed25519-a | face     |

    @ES256
    Examples: ES256
      | key    | identity |
      | p256-a | minimal  |
      | p256-a | large    |

    @ES384
    Examples: ES384
      | key    | identity |
      | p384-a | face     |

    @ES512
    Examples: ES512
      | key    | identity |
      | p521-a | minimal  |

  @C169-COSE-013 @must @verify
  Scenario Outline: An altered last signature byte is refused (<key>)
    Given a credential
    And it is signed with the "<key>" test key
    And its signature is edited with {"xor": [-1, 1]}
    When the implementation decodes it
    Then it is rejected at the signature stage

    @EdDSA
    Examples: EdDSA
      | key       |
      | ed25519-a |

    @ES384
    Examples: ES384
      | key    |
      | p384-a |

  @C169-COSE-014 @C169-COSE-015 @must @verify
  Scenario Outline: A signature of the wrong length is refused (<key>, <edit>)
    Given a credential
    And it is signed with the "<key>" test key
    And its signature is edited with <edit>
    When the implementation decodes it
    Then it is rejected at the signature stage

    @EdDSA
    Examples: EdDSA
      | key       | edit             |
      | ed25519-a | {"truncate": 1}  |
      | ed25519-a | {"append": "00"} |

    @ES256
    Examples: ES256
      | key    | edit             |
      | p256-a | {"truncate": 1}  |
      | p256-a | {"append": "00"} |

    @ES384
    Examples: ES384
      | key    | edit             |
      | p384-a | {"append": "00"} |

    @ES512
    Examples: ES512
      | key    | edit            |
      | p521-a | {"truncate": 1} |

  @C169-COSE-001 @C169-COSE-013 @must @verify
  Scenario Outline: An empty signature under a real algorithm is refused (<key>)
    Given a credential
    And it is signed with the "<key>" test key
    And its signature is edited with {"replace": ""}
    When the implementation decodes it
    Then it is rejected at the signature stage

    @EdDSA
    Examples: EdDSA
      | key       |
      | ed25519-a |

    @ES512
    Examples: ES512
      | key    |
      | p521-a |

  @C169-COSE-013 @must @verify
  Scenario Outline: A signature of zeros is refused (<key>)
    Given a credential
    And it is signed with the "<key>" test key
    And its signature is edited with {"replace": "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"}
    When the implementation decodes it
    Then it is rejected at the signature stage

    @EdDSA
    Examples: EdDSA
      | key       |
      | ed25519-a |

    @ES256
    Examples: ES256
      | key    |
      | p256-a |

  @C169-COSE-015 @must @verify
  Scenario Outline: An ECDSA signature in DER is refused (<key>)
    Given a credential
    And it is signed with the "<key>" test key
    And the encoder option "signature_format" is "der"
    When the implementation decodes it
    Then it is rejected at the signature stage

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

  # The credential's kid names the key the decoder holds (<kid> is its name in hex): a decoder
  # that selects by kid must verify with it, and only the signature can refuse.
  @C169-SEC-001 @C169-COSE-013 @must @verify
  Scenario Outline: Another key of the same type does not verify (<key> checked with <other>)
    Given a credential
    And it is signed with the "<key>" test key
    And the encoder option "kid_placement" is "omit"
    And the encoder option "extra_protected" is [[4, {"bstr": "<kid>"}]]
    And the decoder is given the "<other>" key to verify
    When the implementation decodes it
    Then it is rejected at the signature stage

    @EdDSA
    Examples: EdDSA
      | key       | other     | kid                |
      | ed25519-a | ed25519-b | 656432353531392d62 |

    @ES256
    Examples: ES256
      | key    | other  | kid          |
      | p256-a | p256-b | 703235362d62 |

    @ES384
    Examples: ES384
      | key    | other  | kid          |
      | p384-a | p384-b | 703338342d62 |

    @ES512
    Examples: ES512
      | key    | other  | kid          |
      | p521-a | p521-b | 703532312d62 |

  @C169-SEC-004 @must @verify @EdDSA @ES256
  Scenario Outline: A key of another type does not verify (<key> checked with <other>)
    Given a credential
    And it is signed with the "<key>" test key
    And the encoder option "kid_placement" is "omit"
    And the encoder option "extra_protected" is [[4, {"bstr": "<kid>"}]]
    And the decoder is given the "<other>" key to verify
    When the implementation decodes it
    Then it is rejected at the signature stage

    Examples:
      | key       | other     | kid                |
      | ed25519-a | p256-a    | 703235362d61       |
      | p256-a    | ed25519-a | 656432353531392d61 |

  @C169-SEC-004 @must @verify
  Scenario Outline: An algorithm that does not suit the key is refused (<name>)
    Given a credential
    And it is signed with the "<key>" test key
    And the encoder option "alg_value" is <alg>
    When the implementation decodes it
    Then it is rejected at the signature stage

    @EdDSA @ES256
    Examples: EdDSA and ES256
      | name                    | key       | alg |
      | ES256 on an Ed25519 key | ed25519-a | -7  |
      | EdDSA on a P-256 key    | p256-a    | -8  |

    @ES384 @ES256
    Examples: ES256 on P-384
      | name                 | key    | alg |
      | ES256 on a P-384 key | p384-a | -7  |

    @ES512 @ES384
    Examples: ES384 on P-521
      | name                 | key    | alg |
      | ES384 on a P-521 key | p521-a | -35 |

  @C169-COSE-012 @C169-COSE-013 @C169-QR-008 @must @verify
  Scenario Outline: A payload changed after signing is refused (<key>)
    Given a credential
    And it is signed with the "<key>" test key
    And its signed payload is edited with {"xor": [-1, 1]}
    When the implementation decodes it
    Then it is rejected at the signature stage

    @EdDSA
    Examples: EdDSA
      | key       |
      | ed25519-a |

    @ES256
    Examples: ES256
      | key    |
      | p256-a |

    @ES512
    Examples: ES512
      | key    |
      | p521-a |

  # The edit changes only a content type the decoder does not act on: alg and kid stay as
  # signed, so only the signature over the protected header can refuse it.
  @C169-COSE-012 @C169-COSE-013 @must @verify
  Scenario Outline: A protected header changed after signing is refused (<key>)
    Given a credential
    And it is signed with the "<key>" test key
    And the encoder option "extra_protected" is [[3, "text/plain"]]
    And its signed protected is edited with {"xor": [-1, 1]}
    When the implementation decodes it
    Then it is rejected at the signature stage

    @EdDSA
    Examples: EdDSA
      | key       |
      | ed25519-a |

    @ES384
    Examples: ES384
      | key    |
      | p384-a |

  # The control of the scenario above: the same protected header, intact.
  @C169-COSE-012 @must @verify
  Scenario Outline: A content type in the protected header is accepted (<key>)
    Given a credential
    And it is signed with the "<key>" test key
    And the encoder option "extra_protected" is [[3, "text/plain"]]
    When the implementation decodes it
    Then it is accepted

    @EdDSA
    Examples: EdDSA
      | key       |
      | ed25519-a |

    @ES384
    Examples: ES384
      | key    |
      | p384-a |

  @C169-COSE-012 @must @verify @EdDSA
  Scenario: A parameter added to the unprotected header does not break the signature
    Given a credential
    And the encoder option "extra_unprotected" is [[3, 0]]
    When the implementation decodes it
    Then it is accepted

  @C169-COSE-012 @C169-SEC-012 @C169-SEC-011 @must @verify @EdDSA
  Scenario: A claims set in non-preferred CBOR is verified over the bytes as sent
    Given a credential for the "demographics" identity
    And the encoder option "indefinite" is true
    And the encoder option "key_order" is "reversed"
    When the implementation decodes it
    Then it is accepted

  # The kid names one trusted key, the signature holds under another trusted key: selecting by
  # kid (and refusing) and trying every key (and accepting) both conform.
  @C169-COSE-018 @C169-SEC-018 @must @verify @EdDSA
  Scenario: A kid naming another key the verifier holds may be refused or verified with the other key
    Given the vector "kid-misleading"
    When the implementation decodes it
    Then either answer conforms

  @C169-COSE-001 @C169-SEC-001 @must @verify @EdDSA
  Scenario: An unsigned credential checked with a key is refused
    Given a credential
    And it is signed with the "none" test key
    And the encoder option "alg_value" is -8
    And the decoder is given the "ed25519-a" key to verify
    When the implementation decodes it
    Then it is rejected at the signature stage

  @C169-SEC-005 @C169-COSE-013 @profile @verify @EdDSA
  Scenario: A signature forged for the weak identity key is refused
    Given the vector "weak-key-forgery"
    When the implementation decodes it
    Then it is rejected at the signature stage

  @C169-COSE-013 @C169-COSE-015 @must @verify @ES256
  Scenario: The idpass credential signed with P-256 verifies
    Given the vector "idpass-ecdsa-p256-signed"
    When the implementation decodes it
    Then it is accepted
    And the signature is reported verified

  @C169-COSE-013 @must @verify @EdDSA
  Scenario: The idpass credential signed with Ed25519 verifies
    Given the vector "idpass-ed25519-signed"
    When the implementation decodes it
    Then it is accepted
    And the signature is reported verified
