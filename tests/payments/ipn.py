"""A gateway's signed IPN for a payment, as VNPay sends it."""


def ipn_params(gateway, payment, *, paid=True, amount=None, **extra):
    answer = {
        "vnp_TmnCode": gateway.tmn_code,
        "vnp_Amount": str((payment.amount if amount is None else amount) * 100),
        "vnp_TxnRef": payment.reference,
        "vnp_ResponseCode": "00" if paid else "24",
        "vnp_TransactionStatus": "00" if paid else "02",
        "vnp_TransactionNo": "14012345",
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20261201101500",
        **extra,
    }
    answer["vnp_SecureHash"] = gateway.signature(answer)
    return answer
