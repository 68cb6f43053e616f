Feature: The optional COSE_Encrypt0 layer
  An issuer may encrypt the signed message: the whole COSE_Sign1, tag 18 included,
  becomes the plaintext of a COSE_Encrypt0 under tag 16, with AES-GCM and a fresh
  12-byte IV. The verifier decrypts with a key it got outside the credential, then
  checks the inner signature. Any failed authentication, odd IV, misplaced
  algorithm or missing signature ends in rejection.

  @C169-ENC-007 @C169-ENC-002 @C169-ENC-005 @C169-ENC-006 @must @verify @decrypt
  Scenario Outline: Signed with <sign>, then encrypted with <enc>, the credential decodes (<identity>)
    Given a credential for the "<identity>" identity
    And it is signed with the "<sign>" test key
    And it is encrypted with the "<enc>" test key
    When the implementation decodes it
    Then it is accepted
    And the signature is reported verified

    @EdDSA @A128GCM
    Examples: EdDSA in A128GCM
      | sign      | enc      | identity |
      | ed25519-a | aes128-a | minimal  |
      | ed25519-a | aes128-a | face     |

    @EdDSA @A192GCM
    Examples: EdDSA in A192GCM
      | sign      | enc      | identity |
      | ed25519-a | aes192-a | minimal  |

    @EdDSA @A256GCM
    Examples: EdDSA in A256GCM
      | sign      | enc      | identity       |
      | ed25519-a | aes256-a | minimal        |
      | ed25519-a | aes256-a | all-biometrics |

    @ES256 @A256GCM
    Examples: ES256 in A256GCM
      | sign   | enc      | identity |
      | p256-a | aes256-a | face     |

    @ES256 @A128GCM
    Examples: ES256 in A128GCM
      | sign   | enc      | identity |
      | p256-a | aes128-a | minimal  |

    @ES384 @A192GCM
    Examples: ES384 in A192GCM
      | sign   | enc      | identity |
      | p384-a | aes192-a | face     |

    @ES512 @A256GCM
    Examples: ES512 in A256GCM
      | sign   | enc      | identity       |
      | p521-a | aes256-a | all-biometrics |

  @C169-ENC-008 @must @verify @decrypt @EdDSA
  Scenario Outline: The IV may stand in the protected header (<enc>)
    Given a credential
    And it is encrypted with the "<enc>" test key
    And the encoder option "iv_placement" is "protected"
    When the implementation decodes it
    Then it is accepted

    @A128GCM
    Examples: A128GCM
      | enc      |
      | aes128-a |

    @A256GCM
    Examples: A256GCM
      | enc      |
      | aes256-a |

  @C169-ENC-016 @must @verify @decrypt @EdDSA @A256GCM
  Scenario: A kid naming the content key does not stop decryption
    Given a credential
    And it is encrypted with the "aes256-a" test key
    And the encoder option "extra_enc_unprotected" is [[4, {"bstr": "6165732d6b6579"}]]
    When the implementation decodes it
    Then it is accepted

  @C169-ENC-011 @must @verify @decrypt @EdDSA
  Scenario Outline: Another key of the same size fails authentication (<enc>)
    Given a credential
    And it is encrypted with the "<enc>" test key
    And the decoder is given the "<other>" key to decrypt
    When the implementation decodes it
    Then it is rejected at the decrypt stage

    @A128GCM
    Examples: A128GCM
      | enc      | other    |
      | aes128-a | aes128-b |

    @A192GCM
    Examples: A192GCM
      | enc      | other    |
      | aes192-a | aes192-b |

    @A256GCM
    Examples: A256GCM
      | enc      | other    |
      | aes256-a | aes256-b |

  @C169-ENC-013 @must @verify @decrypt @EdDSA @A128GCM @A256GCM
  Scenario Outline: A key whose size disagrees with the header's algorithm is refused (<enc> read with <other>)
    Given a credential
    And it is encrypted with the "<enc>" test key
    And the decoder is given the "<other>" key to decrypt
    When the implementation decodes it
    Then it is rejected at the decrypt stage

    Examples:
      | enc      | other    |
      | aes256-a | aes128-a |
      | aes128-a | aes256-a |

  @C169-ENC-011 @must @verify @decrypt @EdDSA
  Scenario Outline: An altered ciphertext or tag fails authentication (<enc>, byte <at>)
    Given a credential
    And it is encrypted with the "<enc>" test key
    And its ciphertext is edited with {"xor": [<at>, 1]}
    When the implementation decodes it
    Then it is rejected at the decrypt stage

    @A128GCM
    Examples: A128GCM
      | enc      | at |
      | aes128-a | 5  |
      | aes128-a | -1 |

    @A192GCM
    Examples: A192GCM
      | enc      | at |
      | aes192-a | 5  |

    @A256GCM
    Examples: A256GCM
      | enc      | at |
      | aes256-a | 5  |
      | aes256-a | -1 |

  @C169-ENC-011 @must @verify @decrypt @EdDSA @A256GCM
  Scenario: A ciphertext shorter than the GCM tag is refused
    Given a credential
    And it is encrypted with the "aes256-a" test key
    And its ciphertext is edited with {"replace": "00010203"}
    When the implementation decodes it
    Then it is rejected at the decrypt stage

  @C169-ENC-008 @must @verify @decrypt @EdDSA @A256GCM
  Scenario Outline: An IV of <n> bytes instead of 12 is refused
    Given a credential
    And it is encrypted with the "aes256-a" test key
    And the encoder option "iv_placement" is "omit"
    And the encoder option "extra_enc_unprotected" is [[5, {"bstr": "<iv>"}]]
    When the implementation decodes it
    Then it is rejected at the decrypt stage

    Examples:
      | n  | iv                               |
      | 8  | 0001020304050607                 |
      | 16 | 000102030405060708090a0b0c0d0e0f |
      | 0  |                                  |

  @C169-ENC-008 @must @verify @decrypt @EdDSA @A256GCM
  Scenario: A message without an IV is refused
    Given a credential
    And it is encrypted with the "aes256-a" test key
    And the encoder option "iv_placement" is "omit"
    When the implementation decodes it
    Then it is rejected at the decrypt stage

  @C169-ENC-009 @must @verify @decrypt @EdDSA @A256GCM
  Scenario: An IV and a Partial IV together are refused
    Given a credential
    And it is encrypted with the "aes256-a" test key
    And the encoder option "extra_enc_unprotected" is [[6, {"bstr": "01"}]]
    When the implementation decodes it
    Then it is rejected at the decrypt stage

  @C169-ENC-012 @must @verify @decrypt @EdDSA @A256GCM
  Scenario: The content algorithm only in the unprotected header is refused
    Given a credential
    And it is encrypted with the "aes256-a" test key
    And the encoder option "enc_alg_placement" is "unprotected"
    When the implementation decodes it
    Then it is rejected at the cose stage

  @C169-ENC-016 @C169-ENC-011 @must @verify @decrypt @EdDSA @A256GCM
  Scenario: An encrypted credential without a decryption key is refused
    Given a credential
    And it is encrypted with the "aes256-a" test key
    And the decoder is given no key to decrypt
    When the implementation decodes it
    Then it is rejected at the decrypt stage

  @C169-ENC-014 @C169-COSE-001 @must @decrypt
  Scenario Outline: Encryption around a bare claims set, nothing signed, is refused (<enc>)
    Given a credential
    And it is encrypted with the "<enc>" test key
    And the encoder option "layering" is "encrypt_only"
    When the implementation decodes it
    Then it is rejected at the cose stage

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

  @C169-ENC-014 @C169-COSE-001 @must @decrypt @A256GCM
  Scenario: The idpass encrypted-only credential is refused for want of a signature
    Given the vector "idpass-encrypted-aes256"
    When the implementation decodes it
    Then it is rejected at the cose stage

  @C169-ENC-005 @C169-ENC-003 @C169-COSE-013 @must @verify @decrypt @EdDSA @A256GCM
  Scenario: The idpass encrypted and signed credential decodes
    Given the vector "idpass-encrypted-signed"
    When the implementation decodes it
    Then it is accepted

  @C169-ENC-003 @should @verify @decrypt @EdDSA
  Scenario Outline: Encryption under the signature may be read or refused (<enc>)
    Given a credential
    And it is encrypted with the "<enc>" test key
    And the encoder option "layering" is "encrypt_then_sign"
    When the implementation decodes it
    Then either answer conforms

    @A128GCM
    Examples: A128GCM
      | enc      |
      | aes128-a |

    @A256GCM
    Examples: A256GCM
      | enc      |
      | aes256-a |

  @C169-ENC-004 @must @verify @decrypt @EdDSA @A256GCM
  Scenario: An untagged COSE_Sign1 inside the encryption may be read or refused
    Given a credential
    And it is encrypted with the "aes256-a" test key
    And the encoder option "untagged_inner" is true
    When the implementation decodes it
    Then either answer conforms

  @C169-COSE-013 @C169-ENC-015 @must @verify @decrypt @EdDSA @A256GCM
  Scenario: Decryption succeeding does not excuse a bad inner signature
    Given a credential
    And it is encrypted with the "aes256-a" test key
    And its signature is edited with {"xor": [0, 1]}
    When the implementation decodes it
    Then it is rejected at the signature stage

  @C169-COSE-005 @must @verify @decrypt @EdDSA @A256GCM
  Scenario: The CWT tag 61 around a COSE_Encrypt0 is accepted
    Given a credential
    And it is encrypted with the "aes256-a" test key
    And the encoder option "tags" is "cwt_and_cose"
    When the implementation decodes it
    Then it is accepted
